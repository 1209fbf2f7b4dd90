import type { CustomerEvent, Order } from '../domain/activity.js';
import type { Customer } from '../domain/customer.js';
import type { EngineContext } from '../engine/context.js';
import {
  type CsvImportOptions,
  type CsvImportReport,
  type CsvSource,
  importCustomersCsv,
} from '../ingestion/csv-import.js';
import { type CustomerUpsertResult, upsertCustomers } from '../ingestion/customers.js';
import { type EventIngestResult, ingestEvents } from '../ingestion/events.js';
import { type IngestOptions, ingestOrders, type OrderIngestResult } from '../ingestion/orders.js';
import type { Page } from '../ports/storage.js';
import { checkPage, type PageInput } from '../util/page-options.js';

/** Customers, their orders and their events. */
export class CustomerService {
  constructor(private readonly ctx: EngineContext) {}

  /**
   * Inserts or updates one customer or an array of them. By default any invalid item rejects the
   * whole call (`ValidationError` listing each problem with its path) and nothing is written; with
   * `partial: true` the valid ones are written and the invalid ones reported.
   */
  upsert(input: unknown, options: IngestOptions = {}): Promise<CustomerUpsertResult> {
    return upsertCustomers(this.ctx, input, options);
  }

  /** The customer, or `null`. */
  get(id: string): Promise<Customer | null> {
    return this.ctx.storage.customers.get(id);
  }

  /** Customers in ascending id order. */
  async list(options: PageInput = {}): Promise<Page<Customer>> {
    return this.ctx.storage.customers.list(checkPage(options, 'customer list'));
  }

  /** Number of customers. */
  size(): Promise<number> {
    return this.ctx.storage.customers.size();
  }

  /**
   * Streams a CSV file of customers in: good rows are upserted in batches, bad rows are reported by
   * line number with their problems.
   */
  importCsv(source: CsvSource, options?: CsvImportOptions): Promise<CsvImportReport> {
    return importCustomersCsv(this.ctx, source, options);
  }

  /** Records orders (one or an array), idempotent by order id; aggregates stay exact. */
  addOrders(input: unknown, options: IngestOptions = {}): Promise<OrderIngestResult> {
    return ingestOrders(this.ctx, input, options);
  }

  /** Records events such as visits (one or an array), idempotent by event id. */
  addEvents(input: unknown, options: IngestOptions = {}): Promise<EventIngestResult> {
    return ingestEvents(this.ctx, input, options);
  }

  /** A customer's orders, newest first. */
  async orders(customerId: string, options: PageInput = {}): Promise<Page<Order>> {
    return this.ctx.storage.activity.listOrders(customerId, checkPage(options, 'order list'));
  }

  /** A customer's events, newest first. */
  async events(customerId: string, options: PageInput = {}): Promise<Page<CustomerEvent>> {
    return this.ctx.storage.activity.listEvents(customerId, checkPage(options, 'event list'));
  }
}
