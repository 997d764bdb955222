import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
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
  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<{ status(n: number): { type(t: string): { send(b: string): void } } }>();
    let status = 500;
    let body: Record<string, unknown> = { type: 'about:blank', title: 'Internal error', status: 500 };
    if (exception instanceof HttpException) {
      status = exception.getStatus();
      const r = exception.getResponse();
      body = exception instanceof Problem ? (r as Record<string, unknown>) : { type: 'about:blank', title: typeof r === 'string' ? r : String((r as { message?: unknown }).message ?? exception.message), status };
    }
    response.status(status).type('application/problem+json').send(JSON.stringify(body));
  }
}
