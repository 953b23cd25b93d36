/**
 * CloudNativePG's Cluster and ScheduledBackup (postgresql.cnpg.io/v1), for which
 * no kubernetes-models package exists: the fields deploy/kubernetes and the
 * restore recipe of docs/operations.md use, with the types and limits of
 * CloudNativePG's API reference (ClusterSpec, BootstrapInitDB, BootstrapRecovery,
 * RecoveryTarget, ExternalCluster, BackupConfiguration, BarmanObjectStoreConfiguration,
 * PostgresConfiguration, StorageConfiguration, EmbeddedObjectMetadata,
 * ScheduledBackupSpec). It is a subset: a field the
 * operator accepts but this schema does not list is refused here, so that a typo
 * cannot pass; list a field here, from that reference, before using it.
 */
import type { SchemaObject } from 'ajv';

const dnsLabel: SchemaObject = { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' };
const stringMap: SchemaObject = { type: 'object', additionalProperties: { type: 'string' } };
const quantity: SchemaObject = { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$' };
const quantities: SchemaObject = { type: 'object', additionalProperties: quantity };

const secretKeySelector: SchemaObject = {
  type: 'object',
  required: ['name', 'key'],
  additionalProperties: false,
  properties: { name: dnsLabel, key: { type: 'string', minLength: 1 } },
};
const metadata: SchemaObject = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: dnsLabel, namespace: dnsLabel, labels: stringMap, annotations: stringMap },
};
const compression: SchemaObject = { enum: ['gzip', 'bzip2', 'snappy', 'lz4', 'xz', 'zstd'] };

const barmanObjectStore: SchemaObject = {
  type: 'object',
  required: ['destinationPath'],
  additionalProperties: false,
  properties: {
    destinationPath: { type: 'string', pattern: '^(s3|gs|https?)://.+' },
    endpointURL: { type: 'string', pattern: '^https?://.+' },
    serverName: { type: 'string', minLength: 1 },
    s3Credentials: {
      type: 'object',
      additionalProperties: false,
      properties: {
        accessKeyId: secretKeySelector,
        secretAccessKey: secretKeySelector,
        region: secretKeySelector,
        sessionToken: secretKeySelector,
        inheritFromIAMRole: { type: 'boolean' },
      },
    },
    wal: {
      type: 'object',
      additionalProperties: false,
      properties: { compression, maxParallel: { type: 'integer', minimum: 1 } },
    },
    data: {
      type: 'object',
      additionalProperties: false,
      properties: { compression, jobs: { type: 'integer', minimum: 1 }, immediateCheckpoint: { type: 'boolean' } },
    },
  },
};

export const cnpgScheduledBackupSchema: SchemaObject = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  additionalProperties: false,
  properties: {
    apiVersion: { enum: ['postgresql.cnpg.io/v1'] },
    kind: { enum: ['ScheduledBackup'] },
    metadata,
    spec: {
      type: 'object',
      required: ['schedule', 'cluster'],
      additionalProperties: false,
      properties: {
        // Six fields, seconds first (the operator's cron), or a @-descriptor.
        schedule: { type: 'string', pattern: '^(@\\w+|(\\S+\\s+){5}\\S+)$' },
        cluster: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: dnsLabel } },
        suspend: { type: 'boolean' },
        immediate: { type: 'boolean' },
        backupOwnerReference: { enum: ['none', 'self', 'cluster'] },
        target: { enum: ['primary', 'prefer-standby'] },
        method: { enum: ['barmanObjectStore', 'volumeSnapshot', 'plugin'] },
        online: { type: 'boolean' },
      },
    },
  },
};

export const cnpgClusterSchema: SchemaObject = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  additionalProperties: false,
  properties: {
    apiVersion: { enum: ['postgresql.cnpg.io/v1'] },
    kind: { enum: ['Cluster'] },
    metadata,
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
            recovery: {
              type: 'object',
              additionalProperties: false,
              properties: {
                // An entry of externalClusters holding the backups, or a Backup object.
                source: dnsLabel,
                backup: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: dnsLabel } },
                database: { type: 'string', minLength: 1 },
                owner: { type: 'string', minLength: 1 },
                secret: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: dnsLabel } },
                recoveryTarget: {
                  type: 'object',
                  additionalProperties: false,
                  properties: {
                    // RFC 3339 (or PostgreSQL's timestamp format).
                    targetTime: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}' },
                    targetLSN: { type: 'string' },
                    targetName: { type: 'string' },
                    targetXID: { type: 'string' },
                    targetImmediate: { type: 'boolean' },
                    targetTLI: { type: 'string' },
                    exclusive: { type: 'boolean' },
                    backupID: { type: 'string' },
                  },
                },
              },
            },
          },
          // One way to create the data, never two.
          maxProperties: 1,
        },
        externalClusters: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name'],
            additionalProperties: false,
            properties: { name: dnsLabel, barmanObjectStore },
          },
        },
        backup: {
          type: 'object',
          additionalProperties: false,
          properties: {
            retentionPolicy: { type: 'string', pattern: '^[1-9][0-9]*[dwm]$' },
            barmanObjectStore,
            target: { enum: ['primary', 'prefer-standby'] },
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
