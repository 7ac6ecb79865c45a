/**
 * The inventory schema's value types (ports, paths, addresses, JVM flags,
 * sizes): each says what it accepts and, in its message, what it expected.
 * Used by schema.ts and its sections only.
 */
import { z } from 'zod';

/** A TCP port. */
export const port = z.number().int().min(1, 'expected a port 1–65535').max(65535, 'expected a port 1–65535');
/** A path as it reaches a shell, a unit file and a config: no control characters. */
export const absOrRelPath = z
  .string()
  .min(1, 'expected a non-empty path')
  .refine((p) => !/[\u0000-\u001f\u007f]/.test(p), 'expected a path without control characters (newlines, tabs)');
/** Where zkops creates and later deletes directories: no "..", so the path says where that is. */
export const dirPath = absOrRelPath.refine(
  (p) => !p.split('/').includes('..'),
  'expected a path without ".." (write the directory it means)',
);
/** An IP address or a DNS name: what a host is reached at, and nothing a shell or a config could misread. */
export const address = z
  .string()
  .regex(
    /^([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|[0-9A-Fa-f:.]+)$/,
    'expected an IP address or a host name (letters, digits, "." and "-")',
  );
/** One JVM option, passed as one word: starts with "-", no whitespace. */
export const jvmFlag = z
  .string()
  .regex(/^-[^\s'"\\]+$/, 'expected one JVM flag starting with "-" (no spaces or quotes), like -XX:+UseG1GC');
/** A file size as log4j and the JVM write them: a number and a unit. */
export const fileSize = z
  .string()
  .regex(/^\d+(KB|MB|GB|K|M|G|k|m|g|kb|mb|gb)$/, 'expected a size like 10MB, 512KB or 1GB');
