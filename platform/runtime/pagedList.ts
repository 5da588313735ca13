/**
 * A whole list read in chunks, as client-go's pager (tools/pager) reads a reflector's list: pages of
 * LIST_PAGE_SIZE, asked for one after another with the previous page's `continue` token, so the caller's
 * list function can shape each page's objects (a plugin keeps only what it reads) before the next page is
 * parsed: the peak is one page, not the whole collection. Every page of one list is one snapshot (the API
 * serves it at the first page's resourceVersion, which the result reports). When a continue token has
 * expired (410: the API compacted the snapshot) it lists once more in full, without a limit, as client-go's
 * pager does with FullListIfExpired. A list function that ignores the page and returns everything is read
 * as one page.
 */
import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import type { ListPage } from '../../plugin/contract.js';
import { apiErrorWithStatus } from './apiStatus.js';

export type { ListPage } from '../../plugin/contract.js';

/** client-go's default page size (pager.defaultPageSize; kubectl's --chunk-size default too). */
export const LIST_PAGE_SIZE = 500;

export type PageLister<T extends KubernetesObject> = (page: ListPage) => Promise<KubernetesListObject<T>>;

/** Every page of the list in order, as one list carrying the first page's resourceVersion. `onExpired` hears of a fallback to a full list. */
export async function listInPages<T extends KubernetesObject>(list: PageLister<T>, pageSize = LIST_PAGE_SIZE, onExpired?: (err: unknown) => void): Promise<KubernetesListObject<T>> {
  const first = await list({ limit: pageSize });
  let token = continueOf(first);
  if (!token) return first;
  const items = [...first.items];
  while (token) {
    let page: KubernetesListObject<T>;
    try {
      page = await list({ limit: pageSize, continue: token });
    } catch (err) {
      if (!apiErrorWithStatus(err, 410)) throw err;
      onExpired?.(err);
      return list({});
    }
    for (const item of page.items) items.push(item);
    token = continueOf(page);
  }
  return { ...first, metadata: { resourceVersion: first.metadata?.resourceVersion }, items };
}

/** The list's continue token: typed client-node lists name it `_continue`, custom-object lists keep the wire's `continue`. */
function continueOf(list: KubernetesListObject<KubernetesObject>): string | undefined {
  const meta = list.metadata as { _continue?: string; continue?: string } | undefined;
  return meta?._continue || meta?.continue || undefined;
}
