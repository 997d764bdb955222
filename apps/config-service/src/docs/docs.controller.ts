import { Controller, Get, Header, NotFoundException, Param, Res, StreamableFile } from '@nestjs/common';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { openApiDocument } from '@kite/contracts';

const document = openApiDocument();

/** The files of Swagger UI (the `swagger-ui-dist` package) that the page loads, with their types. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};
const ASSET_DIR = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** Swagger UI's start, ours: the document below, and the token a reader types in with "Authorize". */
const INITIALIZER = `window.onload = () => {
  window.ui = SwaggerUIBundle({ url: '/docs/openapi.json', dom_id: '#swagger-ui', deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis], layout: 'BaseLayout', persistAuthorization: true });
};`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Kite conversations: configuration API</title>
  <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <noscript>This page needs JavaScript. The OpenAPI document itself: <a href="/docs/openapi.json">/docs/openapi.json</a>.</noscript>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/initializer.js"></script>
</body>
</html>
`;

/**
 * The configuration API's documentation: a readable page at `/docs` (Swagger UI) over the OpenAPI
 * document at `/docs/openapi.json`, built from the same schemas as the validation (also in
 * docs/openapi.json). Served without a token, as the document holds no tenant's data.
 */
@Controller('docs')
export class DocsController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(): string {
    return PAGE;
  }

  @Get('openapi.json')
  openApi(): Record<string, unknown> {
    return document;
  }

  @Get('assets/initializer.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  initializer(): string {
    return INITIALIZER;
  }

  @Get('assets/:file')
  @Header('Cache-Control', 'public, max-age=86400')
  asset(@Param('file') file: string, @Res({ passthrough: true }) reply: { setHeader(name: string, value: string): void }): StreamableFile {
    const type = ASSETS[file];
    if (!type) throw new NotFoundException();
    reply.setHeader('Content-Type', type);
    return new StreamableFile(fs.createReadStream(path.join(ASSET_DIR, file)));
  }
}
