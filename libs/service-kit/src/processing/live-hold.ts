/**
 * On a rebuild, for a processor whose decisions read what the others rebuild (`liveAfterRebuild`):
 * the partitions in which a live message was left unread, until the read models are rebuilt.
 */
export class LiveHold {
  private held: Set<number> | undefined;

  start(): void {
    this.held = new Set();
  }

  /** Whether the message is left unread: a live one, and all after it in its partition. */
  holds(partition: number, live: boolean): boolean {
    if (live) this.held?.add(partition);
    return this.held?.has(partition) ?? false;
  }

  /** Stops holding; true when something was left unread (it must be read again). */
  release(): boolean {
    const left = (this.held?.size ?? 0) > 0;
    this.held = undefined;
    return left;
  }
}
