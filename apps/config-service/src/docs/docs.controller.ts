import { Controller, Get } from '@nestjs/common';
import { openApiDocument } from '@kite/contracts';

const document = openApiDocument();

/** The OpenAPI document, from the same schemas as the validation (also in docs/openapi.json). */
@Controller('docs')
export class DocsController {
  @Get()
  openApi(): Record<string, unknown> {
    return document;
  }
}
