/**
 * CloudNativePG's Cluster (postgresql.cnpg.io/v1), for which no kubernetes-models
 * package exists: the fields deploy/kubernetes uses, with the types and limits of
 * CloudNativePG's API reference (ClusterSpec, BootstrapInitDB, PostgresConfiguration,
 * StorageConfiguration, EmbeddedObjectMetadata). It is a subset: a field the
 * operator accepts but this schema does not list is refused here, so that a typo
 * cannot pass; list a field here, from that reference, before using it.
 */
import type { SchemaObject } from 'ajv';

const dnsLabel: SchemaObject = { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' };
const stringMap: SchemaObject = { type: 'object', additionalProperties: { type: 'string' } };
const quantity: SchemaObject = { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$' };
const quantities: SchemaObject = { type: 'object', additionalProperties: quantity };

export const cnpgClusterSchema: SchemaObject = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  additionalProperties: false,
  properties: {
    apiVersion: { enum: ['postgresql.cnpg.io/v1'] },
    kind: { enum: ['Cluster'] },
    metadata: {
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      properties: { name: dnsLabel, namespace: dnsLabel, labels: stringMap, annotations: stringMap },
    },
    spec: {
      type: 'object',
      // The CRD requires only `instances`.
      required: ['instances'],
      additionalProperties: false,
      properties: {
        instances: { type: 'integer', minimum: 1 },
        imageName: { type: 'string', minLength: 1 },
        primaryUpdateStrategy: { enum: ['unsupervised', 'supervised'] },
        inheritedMetadata: {
          type: 'object',
          additionalProperties: false,
          properties: { labels: stringMap, annotations: stringMap },
        },
        bootstrap: {
          type: 'object',
          additionalProperties: false,
          properties: {
            initdb: {
              type: 'object',
              additionalProperties: false,
              properties: {
                database: { type: 'string', minLength: 1 },
                owner: { type: 'string', minLength: 1 },
                secret: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: dnsLabel } },
              },
            },
          },
        },
        postgresql: {
          type: 'object',
          additionalProperties: false,
          properties: { parameters: stringMap },
        },
        storage: {
          type: 'object',
          additionalProperties: false,
          properties: { size: quantity, storageClass: { type: 'string' } },
        },
        resources: {
          type: 'object',
          additionalProperties: false,
          properties: { requests: quantities, limits: quantities },
        },
      },
    },
  },
};
