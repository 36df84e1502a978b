/**
 * Cutting a ranked context to a token budget. Tokens are counted by gpt-tokenizer with the
 * `o200k_base` encoding (the GPT-4o family's; other models' tokenizers differ by a few per cent),
 * pinned here so that a new default in the library cannot move the counts.
 *
 * The budget applies to the final text: items are taken best first while the sum of their lines'
 * counts fits (an item that does not fit is skipped, a smaller one below it may still fit), then the
 * joined text is counted; should joining have cost more than the parts, the lowest-ranked item is
 * dropped until the count fits. `tokens` is always the count of the returned text.
 */
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import type { AssembledContext, RankedCandidate } from './types.js';

export const TOKENIZER_ENCODING = 'o200k_base';

export { countTokens };

const LABEL: Record<RankedCandidate['kind'], string> = {
  profile: 'Profile',
  event: 'Event',
  memory: 'Memory',
  biography: 'Biography',
  file: 'File',
};

const day = (d: Date) => d.toISOString().slice(0, 10);

/** An item as one line of the context text: its kind, its date when it has one, its text on one line. */
export function renderLine(item: RankedCandidate): string {
  const when = item.time && item.kind !== 'file' ? ` (${day(item.time)})` : '';
  return `${LABEL[item.kind]}${when}: ${item.text.replace(/\s+/g, ' ').trim()}`;
}

export function fitToBudget(ranked: readonly RankedCandidate[], maxTokens: number): AssembledContext {
  const chosen: Array<{ item: RankedCandidate; line: string }> = [];
  let used = 0;
  for (const item of ranked) {
    const line = renderLine(item);
    // +1: the newline that joins it to the previous line.
    const cost = countTokens(line) + (chosen.length > 0 ? 1 : 0);
    if (used + cost > maxTokens) continue;
    chosen.push({ item, line });
    used += cost;
  }
  let text = chosen.map((c) => c.line).join('\n');
  let tokens = countTokens(text);
  while (tokens > maxTokens && chosen.length > 0) {
    chosen.pop();
    text = chosen.map((c) => c.line).join('\n');
    tokens = countTokens(text);
  }
  return { text, tokens, items: chosen.map((c) => c.item), omitted: ranked.length - chosen.length };
}
