import { Controller, Get, Header, NotFoundException, Param, Res, StreamableFile } from '@nestjs/common';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run build` puts the console (dist/console), from this file in dist/apps/config-service/console/. */
const CONSOLE_DIR = process.env.KITE_CONSOLE_DIR ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../console');
const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.map': 'application/json; charset=utf-8', '.svg': 'image/svg+xml' };

/** A built asset's name: letters, digits, `-`, `_` and one extension; nothing that could leave the folder. */
const ASSET_NAME = /^[A-Za-z0-9_-]+\.[a-z]+$/;

/**
 * The administrators' console (apps/console), a page that talks to this API with the
 * administrator's token: served without a token, as it holds no tenant's data. Its assets carry
 * a content hash in their names, so they are cached for good.
 */
@Controller('console')
export class ConsoleController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  @Header('X-Content-Type-Options', 'nosniff')
  @Header('Content-Security-Policy', "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
  page(): string {
    const index = path.join(CONSOLE_DIR, 'index.html');
    if (!fs.existsSync(index)) throw new NotFoundException('the console is not built: run npm run build');
    return fs.readFileSync(index, 'utf8');
  }

  @Get('assets/:file')
  @Header('Cache-Control', 'public, max-age=31536000, immutable')
  @Header('X-Content-Type-Options', 'nosniff')
  asset(@Param('file') file: string, @Res({ passthrough: true }) reply: { setHeader(name: string, value: string): void }): StreamableFile {
    const type = TYPES[path.extname(file)];
    // Read at each request: a build made while the service runs is served whole.
    if (!type || !ASSET_NAME.test(file) || !fs.existsSync(path.join(CONSOLE_DIR, 'assets', file))) throw new NotFoundException();
    reply.setHeader('Content-Type', type);
    return new StreamableFile(fs.createReadStream(path.join(CONSOLE_DIR, 'assets', file)));
  }
}
