import type { NumberStatus, RoutingTarget } from '@kite/contracts';
import type { DirectoryView } from './api.js';

/** How the console names a number's status (C1). */
export const STATUS_LABELS: Record<NumberStatus, string> = { configured: 'configured', partially_configured: 'partially configured', not_configured: 'not configured' };

/** A routing target by the names the directory gives (C3). */
export function routingText(target: RoutingTarget | null | undefined, directory: DirectoryView): string {
  if (!target) return 'nobody';
  if (target.type === 'agent') return `agent ${directory.agents.find((a) => a.id === target.agentId)?.name ?? target.agentId}`;
  if (target.type === 'group') return `group ${directory.services.find((s) => s.id === target.serviceId)?.name ?? target.serviceId}`;
  return `bot ${directory.bots.find((b) => b.id === target.botId)?.name ?? target.botId}`;
}
