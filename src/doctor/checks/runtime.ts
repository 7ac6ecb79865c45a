/** The runtime's own machinery: the Docker engine and image, or the hosts reached. */
import type { Check } from '../index.js';

export const runtimeCheck: Check = async (ctx) => ctx.rt.selfCheck();
