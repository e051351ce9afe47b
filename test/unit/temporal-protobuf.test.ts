import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { describe, expect, it } from 'vitest';

describe('Temporal protobufs', () => {
  // Two protobufjs copies under @temporalio/* make historyFromJSON throw "type must be a Type";
  // package.json pins one 8.x at the root so they all share it (see README, "Temporal").
  it('historyFromJSON decodes a history', () => {
    const history = historyFromJSON({
      events: [
        {
          eventId: '1',
          eventTime: '2026-01-01T00:00:00Z',
          eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
          workflowExecutionStartedEventAttributes: { workflowType: { name: 'pipelineWorkflow' }, taskQueue: { name: 'ferry' } },
        },
      ],
    });
    expect(history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name).toBe('pipelineWorkflow');
  });
});
