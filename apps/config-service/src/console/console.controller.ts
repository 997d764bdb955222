import { Controller, Get, Header, NotFoundException, Param, Res, StreamableFile } from '@nestjs/common';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run build` puts the console (dist/console), from this file in dist/apps/config-service/console/. */
const CONSOLE_DIR = process.env.KITE_CONSOLE_DIR ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../console');
const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.map': 'application/json; charset=utf-8', '.svg': 'image/svg+xml' };

/** The built files there are: only those are served, by name. */
const assets = (): Set<string> => new Set(fs.existsSync(path.join(CONSOLE_DIR, 'assets')) ? fs.readdirSync(path.join(CONSOLE_DIR, 'assets')) : []);

/**
 * The administrators' console (apps/console), a page that talks to this API with the
 * administrator's token: served without a token, as it holds no tenant's data. Its assets carry
 * a content hash in their names, so they are cached for good.
 */
@Controller('console')
export class ConsoleController {
  private readonly files = assets();

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  page(): string {
    const index = path.join(CONSOLE_DIR, 'index.html');
    if (!fs.existsSync(index)) throw new NotFoundException('the console is not built: run npm run build');
    return fs.readFileSync(index, 'utf8');
  }

  @Get('assets/:file')
  @Header('Cache-Control', 'public, max-age=31536000, immutable')
  asset(@Param('file') file: string, @Res({ passthrough: true }) reply: { setHeader(name: string, value: string): void }): StreamableFile {
    const type = TYPES[path.extname(file)];
    if (!type || !this.files.has(file)) throw new NotFoundException();
    reply.setHeader('Content-Type', type);
    return new StreamableFile(fs.createReadStream(path.join(CONSOLE_DIR, 'assets', file)));
  }
}
