// `nslab audit`: the container security checklist, run read-only.
import { z } from 'zod';
import { AuditReport } from '../audit/schema.js';
import { ContainerName } from './container.js';
import { defineMethods } from './define.js';

export const audit = defineMethods({
  'audit.run': {
    summary: 'Run the security checklist (1-1 … 5-3) on nslab containers, the host and nslab’s state; read-only.',
    renderer: true,
    params: z.strictObject({ targets: z.array(ContainerName).default([]) }),
    result: AuditReport,
  },
});
