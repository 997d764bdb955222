import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { UNSTORABLE_MESSAGE, unstorablePath } from '@kite/contracts';
import { jsonPath, Problem } from './problem.js';

/**
 * Every request's body, path values and query strings, before any handler: a string the stores
 * would refuse is a 400 with its path, so the API never accepts a change that then cannot be kept.
 */
@Injectable()
export class StorableInputPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const found = unstorablePath(value);
    if (!found) return value;
    const path = metadata.type === 'body' ? jsonPath(found) : [metadata.data, ...found].filter((p) => p !== undefined).join('.');
    throw new Problem(400, 'The request is not valid', '1 problem(s)', [{ path, message: UNSTORABLE_MESSAGE }]);
  }
}
