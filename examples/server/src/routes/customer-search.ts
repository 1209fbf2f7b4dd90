/** Customer search (`GET /api/customers?q=`) as a segment query, so storage adapters push it down. */
import { type Customer, type MiniCrm, type Page, querySegmentPage, type RuleGroup } from '@minicrm/core';

/**
 * Customers whose name, email or phone contains `q` (any case), or whose id starts with it, in
 * ascending id. Like every segment page, a page may hold fewer than `limit` customers while
 * `nextCursor` is not `null`.
 */
export function searchCustomers(
  crm: MiniCrm,
  q: string,
  page: { readonly limit: number; readonly cursor?: string | undefined },
): Promise<Page<Customer>> {
  const rules: RuleGroup = {
    combinator: 'or',
    rules: [
      { field: 'name', operator: 'contains', value: q, ignoreCase: true },
      { field: 'email', operator: 'contains', value: q, ignoreCase: true },
      { field: 'phone', operator: 'contains', value: q },
      { field: 'id', operator: 'startsWith', value: q },
    ],
  };
  return querySegmentPage(
    crm.context.storage.customers,
    { rules, catalog: crm.catalog, now: new Date(crm.context.clock.now()) },
    { limit: page.limit, ...(page.cursor === undefined ? {} : { cursor: page.cursor }) },
  );
}
