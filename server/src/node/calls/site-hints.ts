// "The agenda changed" hints to the totems of a site, coalesced: a burst of check-ins at one site
// (L-2: 200 in one second) would otherwise send every totem of that site one hint per check-in —
// 200 × 200 WebSocket writes that hold the event loop for seconds, long enough for sockets to miss
// their pings. The hint only tells a totem to pull the change feed, so one per site per window
// carries the same news.
export class CoalescedHints {
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly emit: (siteId: string) => void,
    /** How long a hint waits for others of the same site. Default 100 ms. */
    private readonly windowMs = 100,
  ) {}

  hint(siteId: string): void {
    if (this.closed || this.pending.has(siteId)) return;
    this.pending.set(
      siteId,
      setTimeout(() => {
        this.pending.delete(siteId);
        this.emit(siteId);
      }, this.windowMs),
    );
  }

  close(): void {
    this.closed = true;
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
  }
}
