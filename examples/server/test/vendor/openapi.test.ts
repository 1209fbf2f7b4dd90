import fastifySwagger from '@fastify/swagger';
import Fastify from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { OpenAPIV3 } from 'openapi-types';
import { describe, expect, it } from 'vitest';
import { aiRoutes } from '../../src/ai/ai-routes.js';
import { createOfflineProvider } from '../../src/ai/offline-provider.js';
import { vendorRoutes } from '../../src/vendor/vendor-routes.js';
import { createVendorSimulator } from '../../src/vendor/vendor-simulator.js';

function operation(document: OpenAPIV3.Document, path: string): OpenAPIV3.OperationObject {
  const found = document.paths[path]?.post;
  if (found === undefined) throw new Error(`no POST ${path} in the document`);
  return found;
}

function bodySchema(op: OpenAPIV3.OperationObject): OpenAPIV3.SchemaObject {
  const body = op.requestBody as OpenAPIV3.RequestBodyObject | undefined;
  return body?.content['application/json']?.schema as OpenAPIV3.SchemaObject;
}

function responseSchema(op: OpenAPIV3.OperationObject, status: string): OpenAPIV3.SchemaObject {
  const response = op.responses[status] as OpenAPIV3.ResponseObject | undefined;
  return response?.content?.['application/json']?.schema as OpenAPIV3.SchemaObject;
}

describe('OpenAPI document of the vendor and AI routes', () => {
  it('describes each route with its tag, summary, body and response schemas', async () => {
    const simulator = createVendorSimulator({
      receiptUrl: 'http://127.0.0.1:9/receipts',
      receiptSecret: 's',
    });
    const app = Fastify();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    await app.register(fastifySwagger, {
      openapi: { info: { title: 'MiniCRM', version: '0.0.0' } },
      transform: jsonSchemaTransform,
    });
    await app.register(vendorRoutes, { prefix: '/vendor', simulator });
    await app.register(aiRoutes, { prefix: '/api/ai', provider: createOfflineProvider() });
    await app.ready();
    const document = app.swagger() as OpenAPIV3.Document;
    await app.close();
    await simulator.close();

    const send = operation(document, '/vendor/send');
    expect(send.tags).toEqual(['vendor']);
    expect(send.summary).toBeTruthy();
    const sendBody = bodySchema(send);
    expect(sendBody.required?.sort()).toEqual(
      ['attempt', 'body', 'campaignId', 'customerId', 'deliveryId', 'idempotencyKey', 'to'].sort(),
    );
    expect(sendBody.additionalProperties).toBe(false);
    const accepted = responseSchema(send, '202');
    expect(Object.keys(accepted.properties ?? {}).sort()).toEqual(['status', 'vendorMessageId']);

    const suggest = operation(document, '/api/ai/suggest-messages');
    expect(suggest.tags).toEqual(['ai']);
    expect(suggest.summary).toBeTruthy();
    const suggestBody = bodySchema(suggest);
    expect(suggestBody.required).toEqual(['objective']);
    const tone = suggestBody.properties?.tone as OpenAPIV3.SchemaObject;
    expect(tone.enum).toEqual(['friendly', 'formal', 'playful', 'urgent']);
    const ok = responseSchema(suggest, '200');
    expect(Object.keys(ok.properties ?? {}).sort()).toEqual(['provider', 'variants']);
  });
});
