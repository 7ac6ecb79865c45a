/** The runtime's own machinery: the Docker engine and image, or the hosts reached. */
import type { Check } from '../check.js';

export const runtimeCheck: Check = async (ctx) => ctx.rt.selfCheck();
