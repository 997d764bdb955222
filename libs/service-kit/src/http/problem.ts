import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { z } from 'zod';

export interface ProblemError {
  path: string;
  message: string;
}

/** An RFC 9457 problem: `application/problem+json`, with every validation error at once (C6). */
export class Problem extends HttpException {
  constructor(status: number, title: string, detail?: string, errors?: ProblemError[]) {
    super({ type: 'about:blank', title, status, ...(detail ? { detail } : {}), ...(errors ? { errors } : {}) }, status);
  }
}

export const jsonPath = (path: readonly PropertyKey[]): string => '$' + path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');

export function validationProblem(error: z.ZodError): Problem {
  return new Problem(400, 'The request body is not valid', `${error.issues.length} problem(s)`, error.issues.map((i) => ({ path: jsonPath(i.path), message: i.message })));
}

/** Every error leaves as `application/problem+json`; nothing else leaks. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<{ status(n: number): { type(t: string): { send(b: string): void } } }>();
    let status = 500;
    let body: Record<string, unknown> = { type: 'about:blank', title: 'Internal error', status: 500 };
    const parserError = exception as { type?: string; status?: number; message?: string };
    if (!(exception instanceof HttpException) && typeof parserError.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
      // The body parser's own errors: malformed JSON, a body too large, a bad charset.
      status = parserError.status;
      body = { type: 'about:blank', title: 'The request body cannot be read', status, detail: parserError.message, errors: [{ path: '$', message: parserError.type === 'entity.parse.failed' ? 'is not valid JSON' : String(parserError.message) }] };
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      const r = exception.getResponse();
      if (exception instanceof Problem) {
        body = r as Record<string, unknown>;
      } else {
        // Nest's own 4xx (a body that is not JSON, for one): a problem with a path like ours.
        const title = typeof r === 'string' ? r : String((r as { message?: unknown }).message ?? exception.message);
        body = { type: 'about:blank', title, status, ...(status === 400 ? { errors: [{ path: '$', message: title }] } : {}) };
      }
    }
    // A 5xx is a defect of ours, not of the request: logged with its cause, answered without it.
    if (status >= 500) this.logger.error(`answered ${status}: ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`);
    response.status(status).type('application/problem+json').send(JSON.stringify(body));
  }
}
