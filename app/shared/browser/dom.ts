/** The element with this id, or a clear error naming it (a page and its script out of step). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page element #${id} is missing`);
  return el as T;
}

/** Shows exactly one of the [data-screen] sections. */
export function showScreen(name: string): void {
  for (const el of document.querySelectorAll<HTMLElement>('[data-screen]'))
    el.hidden = el.dataset.screen !== name;
}
