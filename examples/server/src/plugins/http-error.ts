/** An error the server answers as it is: its status, stable code and message reach the client. */
export class HttpError extends Error {
  /** HTTP status, 4xx or 5xx. */
  readonly statusCode: number;
  /** Stable machine-readable code, e.g. `UNAUTHORIZED`. */
  readonly code: string;
  /** Tells the error handler the message is safe to show. */
  readonly expose = true;

  constructor(statusCode: number, code: string, message: string) {
    super(message);
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.code = code;
  }
}
