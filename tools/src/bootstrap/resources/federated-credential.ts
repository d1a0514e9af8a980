// The app's federated identity credential (tenant 1): lets Entra accept the pod's ServiceAccount token, issued by
// the cluster's OIDC issuer for the token-exchange audience, in exchange for the app's token.
import type { BootstrapConfig } from "../config.ts";
import { federatedCredentialListArgv } from "../reads.ts";
import { type Rights, type StepInput, azIn } from "./common.ts";
import { cited, DELEGATE_APPS, ENTRA_ROLES } from "./sources.ts";
import { APP_ADMINS, APP_OWNER, entraRole, needing } from "./needs.ts";

export const rights: Rights = {
  "tenant1/federated-credential": needing(
    cited(
      "Owner of the app (a creator without an admin role is made its owner), or Application Administrator or Cloud Application Administrator.",
      DELEGATE_APPS,
      ENTRA_ROLES,
    ),
    entraRole(APP_ADMINS, APP_OWNER),
  ),
};

/**
 * The audience of the ServiceAccount token exchanged for an Entra token (Microsoft Learn, "Workload identity
 * federation": the recommended audience for Microsoft Entra ID is api://AzureADTokenExchange). The CSIDriver's
 * tokenRequests, the credential's audiences and the simulated Entra all use this one value.
 */
export const TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

/** Entra allows 20 federated credentials per app (Microsoft Learn, "Important considerations and restrictions for federated identity credentials"). */
export const FEDERATED_CREDENTIAL_LIMIT = 20;

/** The subject Kubernetes puts in a ServiceAccount token. */
export function serviceAccountSubject(namespace: string, serviceAccount: string): string {
  return `system:serviceaccount:${namespace}:${serviceAccount}`;
}

function parameters(c: BootstrapConfig, subject: string): string {
  return JSON.stringify({
    name: c.app.federatedCredentialName,
    issuer: "{{oidcIssuer}}",
    subject,
    description: `Kubernetes service account ${c.kubernetes.namespace}:${c.kubernetes.serviceAccount} on AKS ${c.aks.name}`,
    audiences: [TOKEN_EXCHANGE_AUDIENCE],
  });
}

/** Before a create: the app's limit, and the one credential per issuer and subject Entra allows (same page). */
function limit(c: BootstrapConfig, subject: string): NonNullable<StepInput["limit"]> {
  return {
    max: FEDERATED_CREDENTIAL_LIMIT,
    what: "federated credentials",
    parent: `app ${c.app.displayName}`,
    unique: {
      where: { issuer: "{{oidcIssuer}}", subject },
      hint: "If {{existingName}} is this config's (an older version named it so), set app.federatedCredentialName: {{existingName}}. If another config made it, both configs are for one ServiceAccount of one cluster: keep one of them.",
    },
    hint: `Remove credentials no config uses any more (${azIn(c, "tenant1", federatedCredentialListArgv("{{appObjectId}}"))}, then delete by id), or give this config an app of its own (another app.displayName).`,
  };
}

export function federatedCredentialStep(c: BootstrapConfig, aks: string, app: string): StepInput {
  const name = c.app.federatedCredentialName;
  const subject = serviceAccountSubject(c.kubernetes.namespace, c.kubernetes.serviceAccount);
  const params = parameters(c, subject);
  return {
    id: "tenant1/federated-credential",
    tenant: "tenant1",
    kind: "write",
    action: `adding federated credential ${name} for ${subject}`,
    why: "Lets Entra accept the pod's service account token (issuer exactly as AKS reports it) in exchange for the app's token.",
    argv: ["ad", "app", "federated-credential", "create", "--id", "{{appObjectId}}", "--parameters", params],
    // Issuer, subject and audience edited (or a reused credential of the same name made for something else): put back.
    check: {
      argv: federatedCredentialListArgv("{{appObjectId}}"),
      select: { where: { name } },
      doneWhen: { issuer: "{{oidcIssuer}}", subject, audiences: TOKEN_EXCHANGE_AUDIENCE },
    },
    // Configs sharing an app each use one of its 20.
    limit: limit(c, subject),
    update: {
      // Only this config's own credential is put back; one another config (or a person) made is never rewritten.
      onlyIfCreated: true,
      foreignHint: `Give this config's credential a name of its own: set app.federatedCredentialName (its default is derived from kubernetes.namespace and kubernetes.serviceAccount, so configs of different ServiceAccounts never share one).`,
      action: `setting federated credential ${name} back to issuer, subject ${subject} and audience ${TOKEN_EXCHANGE_AUDIENCE}`,
      argv: [
        ...["ad", "app", "federated-credential", "update", "--id", "{{appObjectId}}"],
        ...["--federated-credential-id", "{{federatedCredentialId}}", "--parameters", params],
      ],
    },
    captures: [{ name: "federatedCredentialId", path: "id" }],
    creates: {
      kind: "federated-credential",
      idVar: "federatedCredentialId",
      label: `federated credential ${name}`,
      ref: { appObjectId: "{{appObjectId}}", name, subject, issuer: "{{oidcIssuer}}" },
    },
    dependsOn: [aks, app],
  };
}
