/**
 * What the control plane stores to reach one member cluster. Built only from the registry's decrypted
 * record, never from an ambient kubeconfig.
 */
export interface MemberCredentials {
  /** Cluster name (for logs and errors only). */
  name: string;
  /** `https://host:port` of the member's API server. */
  server: string;
  /** Base64 of the PEM CA bundle that signs the API server certificate. */
  caData?: string;
  /** Bearer token of the Ubernetes ServiceAccount in the member. */
  token?: string;
  /** Base64 PEM client certificate and key (alternative to a token). */
  clientCertificateData?: string;
  clientKeyData?: string;
  /** Only when the cluster was registered with the explicit insecure opt-in. */
  insecureSkipTLSVerify?: boolean;
}

/** A DNS lookup compatible with `net.connect`'s `lookup` option (used to refuse forbidden addresses). */
export type GuardedLookup = (
  hostname: string,
  options: { family?: number | string; all?: boolean },
  callback: (error: NodeJS.ErrnoException | null, address: string | { address: string; family: number }[], family?: number) => void,
) => void;
