/**
 * The ValidatingWebhookConfiguration BMO installs for BareMetalHosts (kubebuilder marker in
 * baremetalhost_webhook.go): create and update of `metal3.io/v1alpha1` `baremetalhosts`, failurePolicy Fail.
 */
import type { ValidatingWebhook } from '../../kube/admission.js';
import type { BareMetalHost } from '../types.js';
import { validateChanges, validateHost } from './hostRules.js';

export const BMH_WEBHOOK_NAME = 'baremetalhost.metal3.io';

export function bareMetalHostWebhook(): ValidatingWebhook {
  return {
    name: BMH_WEBHOOK_NAME,
    rule: { group: 'metal3.io', version: 'v1alpha1', resource: 'baremetalhosts', operations: ['CREATE', 'UPDATE'] },
    failurePolicy: 'Fail',
    url: 'https://baremetal-operator-webhook-service.baremetal-operator-system.svc:443/validate-metal3-io-v1alpha1-baremetalhost',
    validate: ({ operation, object, oldObject }) => {
      const host = normalised(object as unknown as BareMetalHost);
      return operation === 'CREATE' ? validateHost(host) : validateChanges(normalised(oldObject as unknown as BareMetalHost), host);
    },
  };
}

/** A webhook decodes into Go structs: a missing spec is the zero spec. */
function normalised(host: BareMetalHost): BareMetalHost {
  return { ...host, spec: host.spec ?? ({ online: false } as BareMetalHost['spec']) };
}
