// Validates rendered Kubernetes objects against the API schema, rejecting unknown fields.
//
// Types, formats and required fields: the JSON schemas of `kubernetes-models` (and of its
// Prometheus Operator and Gateway API packages for the two CRDs the chart renders).
// Unknown fields: the typed models of `@kubernetes/client-node`, which list every field of
// every built-in kind. Those have no CRDs, so for ServiceMonitor and HTTPRoute the schema
// validator itself tells which fields it knows: every object it is given is wrapped in a
// Proxy, and a field the validator never looked up in a struct it never enumerated is a
// field the schema does not define.
import { createRequire } from 'node:module';
import * as k8s from '@kubernetes/client-node';

const require = createRequire(import.meta.url);

// apiVersion/kind -> module path of its kubernetes-models class.
function modelModule(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (group === 'monitoring.coreos.com') {
    return `@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`;
  }
  if (group === 'gateway.networking.k8s.io') {
    return `@kubernetes-models/gateway-api/${group}/${version}/${kind}`;
  }
  return group ? `kubernetes-models/${group}/${version}/${kind}` : `kubernetes-models/${version}/${kind}`;
}

function loadModel(apiVersion, kind) {
  try {
    return require(modelModule(apiVersion, kind))[kind];
  } catch {
    return undefined;
  }
}

// client-node's class of a built-in kind: apps/v1 Deployment -> V1Deployment.
function typedModel(apiVersion, kind) {
  const version = apiVersion.split('/').pop();
  return k8s[version.charAt(0).toUpperCase() + version.slice(1) + kind];
}

const SCALARS = new Set(['string', 'number', 'boolean', 'Date', 'any', 'object', 'IntOrString']);

// Appends to `errors` every field of `value` that client-node's model `type` does not have.
function unknownTypedFields(value, type, path, errors) {
  if (value === null || value === undefined || SCALARS.has(type)) return;
  let m = /^Array<(.+)>$/.exec(type);
  if (m) {
    if (Array.isArray(value)) value.forEach((v, i) => unknownTypedFields(v, m[1], `${path}[${i}]`, errors));
    return;
  }
  m = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (m) {
    for (const [k, v] of Object.entries(value)) unknownTypedFields(v, m[1], `${path}.${k}`, errors);
    return;
  }
  const cls = k8s[type];
  if (!cls || typeof cls.getAttributeTypeMap !== 'function') {
    errors.push(`${path}: no client-node model ${type}`);
    return;
  }
  if (typeof value !== 'object' || Array.isArray(value)) return;  // the schema check reports it
  const fields = new Map(cls.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  for (const [k, v] of Object.entries(value)) {
    if (!fields.has(k)) {
      errors.push(`${path}.${k}: unknown field (not in ${type})`);
    } else {
      unknownTypedFields(v, fields.get(k), `${path}.${k}`, errors);
    }
  }
}

// Deep copy of `value` whose objects record what a validator looks up.
function watched(value, path, records) {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v, i) => watched(v, `${path}[${i}]`, records));
  const record = { path, looked: new Set(), enumerated: false, keys: Object.keys(value) };
  records.push(record);
  const copy = {};
  for (const [k, v] of Object.entries(value)) copy[k] = watched(v, `${path}.${k}`, records);
  return new Proxy(copy, {
    get(target, key, receiver) {
      if (typeof key === 'string') record.looked.add(key);
      return Reflect.get(target, key, receiver);
    },
    has(target, key) {
      if (typeof key === 'string') record.looked.add(key);
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      record.enumerated = true;  // a map, or a struct with additionalProperties: either way checked
      return Reflect.ownKeys(target);
    },
    getOwnPropertyDescriptor(target, key) {
      if (typeof key === 'string') record.looked.add(key);
      return Reflect.getOwnPropertyDescriptor(target, key);
    },
  });
}

// Returns the problems of one object: [] when it is valid.
export function validateObject(obj) {
  const where = `${obj?.kind ?? '?'}/${obj?.metadata?.name ?? '?'}`;
  if (!obj || typeof obj !== 'object' || !obj.apiVersion || !obj.kind) {
    return [`${where}: not a Kubernetes object (apiVersion and kind are required)`];
  }
  const Model = loadModel(obj.apiVersion, obj.kind);
  if (!Model) return [`${where}: no schema for ${obj.apiVersion} ${obj.kind}`];
  const errors = [];
  try {
    new Model(obj).validate();
  } catch (e) {
    errors.push(`${where}: ${e.message}`);
  }
  const Typed = typedModel(obj.apiVersion, obj.kind);
  if (Typed) {
    unknownTypedFields(obj, Typed.name, where, errors);
    return errors;
  }
  // A custom resource: find the fields its schema never looked at.
  for (const k of Object.keys(obj)) {
    if (!['apiVersion', 'kind', 'metadata', 'spec'].includes(k)) errors.push(`${where}.${k}: unknown field`);
  }
  const records = [];
  const model = new Model(obj);  // copies its input: hand it the watched spec afterwards
  model.spec = watched(obj.spec, `${where}.spec`, records);
  try {
    model.validate();
  } catch {
    // Reported above.
  }
  for (const r of records) {
    if (r.enumerated) continue;
    for (const k of r.keys) {
      if (!r.looked.has(k)) errors.push(`${r.path}.${k}: unknown field`);
    }
  }
  return errors;
}
