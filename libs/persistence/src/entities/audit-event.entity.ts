import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One audited API mutation (or denied attempt): who, what, on which object, with which result. Never holds
 * request bodies: the object is described by kind/namespace/name taken from the route.
 */
@Entity({ name: 'audit_events' })
export class AuditEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'timestamptz' })
  at!: Date;

  /** `token:<name>`, `oidc:<subject>`, `bootstrap` or `anonymous`. */
  @Column({ type: 'text' })
  actor!: string;

  @Column({ type: 'text', nullable: true })
  role!: string | null;

  @Column({ type: 'text' })
  method!: string;

  /** The route pattern, e.g. `/api/v1/tokens/:name`. */
  @Column({ type: 'text' })
  route!: string;

  @Column({ type: 'text' })
  kind!: string;

  @Column({ type: 'text', nullable: true })
  namespace!: string | null;

  @Column({ type: 'text', nullable: true })
  name!: string | null;

  @Column({ type: 'text', nullable: true })
  subresource!: string | null;

  @Column({ name: 'status_code', type: 'integer' })
  statusCode!: number;

  /** `success`, `failure` (4xx/5xx from the handler), `denied` (401/403) or `aborted`. */
  @Column({ type: 'text' })
  result!: string;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId!: string | null;
}
