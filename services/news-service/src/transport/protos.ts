/** The .proto files of proto/ (the contract), loaded with proto-loader. */
import { fileURLToPath } from 'node:url';
import type * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export const newsProtoPath = fileURLToPath(new URL('../../../../proto/news.proto', import.meta.url));
export const healthProtoPath = fileURLToPath(new URL('../../../../proto/health.proto', import.meta.url));

// keepCase: the fields keep the contract's names (startToken, nextToken, eventType).
// google/protobuf/timestamp.proto is bundled with protobufjs: no include path needed.
const loaderOptions: protoLoader.Options = { keepCase: true, enums: String, longs: Number, defaults: true, oneofs: true };

export function loadServiceDefinition(path: string, service: string): grpc.ServiceDefinition {
  const definition = protoLoader.loadSync(path, loaderOptions);
  const found = definition[service];
  if (!found || 'format' in found) throw new Error(`${path} defines no service ${service}`);
  return found as grpc.ServiceDefinition;
}
