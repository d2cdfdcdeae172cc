// A list the API gives page by page: `fetchPage(cursor)` answers {items, <cursorField>} where
// the cursor (next_before, next_after) is null on the last page. first() replaces the items,
// next() appends the following page; bindMore() wires a «Показать ещё» button to next().
import { busy } from './dom.js';

export class PagedList {
  constructor(fetchPage, cursorField) {
    this.fetchPage = fetchPage;
    this.cursorField = cursorField;
    this.clear();
  }

  clear() {
    this.items = [];
    this.cursor = null;
  }

  get hasMore() {
    return this.cursor !== null;
  }

  async first() {
    const page = await this.fetchPage(undefined);
    this.items = page.items || [];
    this.cursor = page[this.cursorField] || null;
  }

  async next() {
    const page = await this.fetchPage(this.cursor);
    this.items = this.items.concat(page.items || []);
    this.cursor = page[this.cursorField] || null;
  }
}

// The button loads the next page, then `render()`; a refusal goes to `fail(err)`.
export function bindMore(button, list, render, fail) {
  button.addEventListener('click', () => busy(button, async () => {
    try {
      await list.next();
      render();
    } catch (err) {
      fail(err);
    }
  }));
}
