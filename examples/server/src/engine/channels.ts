/**
 * The `sms` and `email` channels the configuration asks for: core's in-process simulator (the
 * default), or the HTTP vendor (`CHANNEL=http-vendor`), which sends over HTTP to `VENDOR_URL` (by
 * default this server's own `/vendor/send`) and learns each outcome from a signed receipt callback.
 */
import { type Channel, createSimulatorChannel } from '@minicrm/core';
import type { Config } from '../config.js';
import { createHttpVendorChannel } from '../vendor/http-vendor-channel.js';

/** The channels campaigns can use: `sms` and `email`. */
export function createChannels(config: Config): Channel[] {
  const { channel } = config;
  return ['sms', 'email'].map((name) =>
    channel.kind === 'http-vendor'
      ? createHttpVendorChannel({ name, url: channel.url, timeoutMs: channel.timeoutMs })
      : createSimulatorChannel({
          name,
          successRate: channel.successRate,
          receipts: 'async',
          receiptDelayMs: 20,
        }),
  );
}
