import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

// OpenAPI documentation of the Cluster resource. Validation is done by the registry (zod); these classes
// only describe the shapes for /openapi.json.

class HealthCheckDto {
  @ApiPropertyOptional({ example: 2, description: 'Seconds between probes (default 2)' }) periodSeconds?: number;
  @ApiPropertyOptional({ example: 2, description: 'Probe timeout in seconds (default 2)' }) timeoutSeconds?: number;
  @ApiPropertyOptional({ example: 3, minimum: 1, description: 'Failed probes before NotReady (default 3)' }) failureThreshold?: number;
  @ApiPropertyOptional({ example: 2, minimum: 1, description: 'Healthy probes before Ready again (default 2)' }) successThreshold?: number;
}

class TaintDto {
  @ApiProperty({ example: 'dedicated' }) key!: string;
  @ApiPropertyOptional({ example: 'batch' }) value?: string;
  @ApiProperty({ enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] }) effect!: string;
}

class CredentialsDto {
  @ApiPropertyOptional({ description: 'Bearer token of the Ubernetes ServiceAccount in the member (write-only)' }) token?: string;
  @ApiPropertyOptional({ description: 'Base64 PEM client certificate (write-only)' }) clientCertificateData?: string;
  @ApiPropertyOptional({ description: 'Base64 PEM client key (write-only)' }) clientKeyData?: string;
}

class ClusterSpecDto {
  @ApiProperty({ example: 'https://10.0.0.1:6443', description: 'https only; link-local/metadata addresses and userinfo are refused' }) server!: string;
  @ApiPropertyOptional({ description: 'Base64 PEM CA bundle of the member API server' }) caData?: string;
  @ApiPropertyOptional({ description: 'Explicit opt-in to skip TLS verification' }) insecureSkipTLSVerify?: boolean;
  @ApiPropertyOptional({ example: 'us-east-1', description: 'Declared region' }) region?: string;
  @ApiPropertyOptional({ type: [String], description: 'Declared zones' }) zones?: string[];
  @ApiPropertyOptional({ type: [TaintDto] }) taints?: TaintDto[];
  @ApiPropertyOptional({ description: 'Cordon: no new placements' }) unschedulable?: boolean;
  @ApiPropertyOptional({ type: HealthCheckDto }) healthCheck?: HealthCheckDto;
}

class ClusterSpecInputDto extends ClusterSpecDto {
  @ApiPropertyOptional({ type: CredentialsDto, description: 'Write-only: never returned' }) credentials?: CredentialsDto;
}

class ClusterMetadataInputDto {
  @ApiProperty({ example: 'member-1', description: 'DNS-1123 label, unique' }) name!: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { env: 'prod' } }) labels?: Record<string, string>;
}

export class RegisterClusterDto {
  @ApiPropertyOptional({ example: 'federation.ubernetes.io/v1' }) apiVersion?: string;
  @ApiPropertyOptional({ example: 'Cluster' }) kind?: string;
  @ApiProperty({ type: ClusterMetadataInputDto }) metadata!: ClusterMetadataInputDto;
  @ApiPropertyOptional({ type: ClusterSpecInputDto }) spec?: ClusterSpecInputDto;
  @ApiPropertyOptional({ description: 'Alternative to spec.server/caData/credentials: a kubeconfig with inline data only (exec, auth-provider and file references are refused)' })
  kubeconfig?: string;
  @ApiPropertyOptional({ description: 'Context of the uploaded kubeconfig (default: current-context)' }) context?: string;
}

export class PatchClusterDto {
  @ApiPropertyOptional({
    description: 'labels: merge patch, null removes a label; resourceVersion (optional): precondition, 409 when the cluster changed since',
    example: { labels: { env: 'prod', old: null }, resourceVersion: '12' },
  })
  metadata?: { labels?: Record<string, string | null>; resourceVersion?: string };
  @ApiPropertyOptional({ type: ClusterSpecInputDto, description: 'merge patch of the spec (taints, unschedulable, healthCheck, ...); null resets a field to its default' })
  spec?: Partial<ClusterSpecInputDto>;
}

class ConditionDto {
  @ApiProperty({ enum: ['Ready', 'Offline'] }) type!: string;
  @ApiProperty({ enum: ['True', 'False', 'Unknown'] }) status!: string;
  @ApiProperty({ enum: ['ClusterReady', 'ClusterNotReady', 'ClusterNotReachable', 'ClusterPending'] }) reason!: string;
  @ApiProperty() message!: string;
  @ApiProperty({ format: 'date-time' }) lastTransitionTime!: string;
  @ApiPropertyOptional({ format: 'date-time' }) lastProbeTime?: string;
}

class ClusterStatusDto {
  @ApiProperty({ type: [ConditionDto] }) conditions!: ConditionDto[];
  @ApiProperty({ type: [String], description: 'Zones from Node labels topology.kubernetes.io/zone' }) zones!: string[];
  @ApiPropertyOptional({ description: 'Region from Node labels' }) region?: string;
  @ApiPropertyOptional() nodeCount?: number;
  @ApiPropertyOptional({ example: 'v1.20.2' }) kubernetesVersion?: string;
  @ApiPropertyOptional({ format: 'date-time' }) lastProbeTime?: string;
  @ApiPropertyOptional() lastProbeLatencyMs?: number;
  @ApiPropertyOptional({ format: 'date-time' }) topologyRefreshTime?: string;
}

class ClusterMetadataDto extends ClusterMetadataInputDto {
  @ApiProperty({ format: 'uuid' }) uid!: string;
  @ApiProperty() resourceVersion!: string;
  @ApiProperty({ format: 'date-time' }) creationTimestamp!: string;
}

export class ClusterDto {
  @ApiProperty({ example: 'federation.ubernetes.io/v1' }) apiVersion!: string;
  @ApiProperty({ example: 'Cluster' }) kind!: string;
  @ApiProperty({ type: ClusterMetadataDto }) metadata!: ClusterMetadataDto;
  @ApiProperty({ type: ClusterSpecDto }) spec!: ClusterSpecDto;
  @ApiProperty({ type: ClusterStatusDto }) status!: ClusterStatusDto;
}

export class ClusterListDto {
  @ApiProperty({ example: 'federation.ubernetes.io/v1' }) apiVersion!: string;
  @ApiProperty({ example: 'ClusterList' }) kind!: string;
  @ApiProperty({ type: [ClusterDto] }) items!: ClusterDto[];
}

class TransitionDto {
  @ApiProperty() cluster!: string;
  @ApiProperty({ enum: ['Ready', 'Offline'] }) condition!: string;
  @ApiProperty({ enum: ['True', 'False', 'Unknown'] }) from!: string;
  @ApiProperty({ enum: ['True', 'False', 'Unknown'] }) to!: string;
  @ApiProperty() reason!: string;
  @ApiProperty() message!: string;
  @ApiProperty({ format: 'date-time' }) time!: string;
}

export class ClusterHistoryDto {
  @ApiProperty({ type: [TransitionDto] }) items!: TransitionDto[];
}
