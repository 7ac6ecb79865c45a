/** Writing answers: whole ones, JSON (always through the redactor) and event streams. */
import type http from 'node:http';

/** Replaces every secret in text about to be sent. */
export type Redact = (text: string) => string;

/** Starts an event stream: the first event at once, the rest as the caller writes them. */
export function openStream(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  streams: Set<http.ServerResponse>,
  first?: () => string,
): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', Connection: 'keep-alive' });
  res.write('retry: 1000\n\n');
  if (first) res.write(first());
  streams.add(res);
  req.on('close', () => streams.delete(res));
}

/** Sends a JSON answer, redacted. */
export function sendJson(res: http.ServerResponse, status: number, value: unknown, redact: Redact): void {
  send(res, status, 'application/json; charset=utf-8', redact(JSON.stringify(value)));
}

/** Sends a whole answer. */
export function send(res: http.ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** A path segment decoded; a malformed escape (`%zz`) stays as sent, so it names no cluster instead of throwing. */
export function decodedName(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
