import type { Channel } from '@kite/contracts';

/** W1: how long after the contact's last inbound WhatsApp message the conversation may be written to free-form. */
export const WHATSAPP_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * W1: the window after a contact message came in on `channel` at `receivedAt` (epoch ms): each
 * WhatsApp message opens it until 24 hours after it, and a later one reopens it; a message that
 * arrives late (older than the newest) never shortens it. SMS and calls change nothing.
 */
export function windowAfterContactMessage(openUntil: number | undefined, channel: Channel, receivedAt: number): number | undefined {
  if (channel !== 'whatsapp') return openUntil;
  const until = receivedAt + WHATSAPP_WINDOW_MS;
  return openUntil === undefined || until > openUntil ? until : openUntil;
}

/** W1: whether a free-form WhatsApp message may leave at `at`: the window closes exactly 24 hours after the last message. */
export const isWindowOpen = (openUntil: number | undefined, at: number): boolean => openUntil !== undefined && at < openUntil;

/** W6: the window as the APIs show it. */
export type WindowState = { open: true; until: string } | { open: false; closedAt?: string };

export function windowState(openUntil: number | undefined, at: number): WindowState {
  if (isWindowOpen(openUntil, at)) return { open: true, until: new Date(openUntil!).toISOString() };
  return openUntil === undefined ? { open: false } : { open: false, closedAt: new Date(openUntil).toISOString() };
}
