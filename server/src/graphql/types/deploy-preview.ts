import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { ChangeKind, ExecutionStatus, JsonValue } from '@tandem/schema';
import type { DryRunNote } from '@tandem/worker';
import type { RunVerdict } from '../../services/deploy-preview.js';
import { ChangeKindEnum } from './diff.js';
import { ExecutionStatusEnum } from './execution.js';

export const RunVerdictEnum = {
  SAME: 'SAME',
  DIFFERENT: 'DIFFERENT',
  WOULD_FAIL: 'WOULD_FAIL',
  UNKNOWN: 'UNKNOWN',
  NOT_CHECKED: 'NOT_CHECKED',
} as const satisfies {
  [K in RunVerdict]: K;
};
registerEnumType(RunVerdictEnum, {
  name: 'RunVerdict',
  description:
    'SAME: the new version gives the recorded result (or fails the same way). DIFFERENT: another result (resultDiff). WOULD_FAIL: it fails (failure). UNKNOWN: the result lies behind a step the dry run does not perform (see notes). NOT_CHECKED: see reason.',
});

export const DryRunNoteKindEnum = { WOULD_CALL: 'WOULD_CALL', WOULD_WAIT: 'WOULD_WAIT', WOULD_RUN: 'WOULD_RUN', RECORDED: 'RECORDED' } as const satisfies {
  [K in DryRunNote['kind']]: K;
};
registerEnumType(DryRunNoteKindEnum, {
  name: 'DryRunNoteKind',
  description:
    'WOULD_CALL / WOULD_WAIT / WOULD_RUN: a changed (or never reached) http.request, wait.signal or subworkflow node the dry run did not perform; what follows it is unknown. RECORDED: its recorded outcome was used.',
});

@ObjectType('DryRunNote', { description: 'A step with an effect: performed from the recorded run, or not performed.' })
export class DryRunNoteType {
  @Field()
  nodeId!: string;

  @Field(() => DryRunNoteKindEnum)
  kind!: DryRunNote['kind'];

  @Field({ description: 'e.g. "would call POST https://api.example.com/orders".' })
  message!: string;
}

@ObjectType('JsonChange', { description: 'One place where two JSON values differ.' })
export class JsonChangeType {
  @Field(() => [String], { description: 'From the root; empty: the values as a whole.' })
  path!: string[];

  @Field({ description: 'path as text, e.g. items[0].total.' })
  field!: string;

  @Field(() => ChangeKindEnum)
  change!: ChangeKind;

  @Field(() => GraphQLJSON, { nullable: true, description: 'Null when added.' })
  before?: JsonValue;

  @Field(() => GraphQLJSON, { nullable: true, description: 'Null when removed.' })
  after?: JsonValue;
}

@ObjectType('PreviewFailure')
export class PreviewFailureType {
  @Field(() => String, { nullable: true, description: 'Null when the run could not start (its trigger is gone).' })
  nodeId!: string | null;

  @Field()
  message!: string;
}

@ObjectType('RunPreview', { description: 'What the draft would have done with one recorded run of the live version.' })
export class RunPreviewType {
  @Field(() => ID)
  executionId!: string;

  @Field()
  startedAt!: Date;

  @Field(() => ExecutionStatusEnum)
  recordedStatus!: ExecutionStatus;

  @Field(() => RunVerdictEnum)
  verdict!: RunVerdict;

  @Field(() => GraphQLJSON, { nullable: true })
  recordedResult!: JsonValue;

  @Field(() => GraphQLJSON, { nullable: true, description: 'The draft’s result, when the dry run completed.' })
  previewResult!: JsonValue;

  @Field(() => [JsonChangeType], { description: 'recordedResult → previewResult, for DIFFERENT.' })
  resultDiff!: JsonChangeType[];

  @Field(() => PreviewFailureType, { nullable: true })
  failure!: PreviewFailureType | null;

  @Field(() => [DryRunNoteType])
  notes!: DryRunNoteType[];

  @Field(() => [String], { description: 'Nodes behind a step the dry run did not perform.' })
  unknownNodes!: string[];

  @Field(() => String, { nullable: true, description: 'Why a run is NOT_CHECKED or UNKNOWN.' })
  reason!: string | null;
}

@ObjectType('DeployPreview', { description: 'The draft dry-run on the recent finished runs of the live version.' })
export class DeployPreviewType {
  @Field(() => Int, { description: 'The live version whose runs were checked.' })
  liveVersion!: number;

  @Field(() => [String], { description: 'Nodes added, or whose type or config changed, since the live version.' })
  changedNodes!: string[];

  @Field(() => [RunPreviewType], { description: 'Newest first.' })
  runs!: RunPreviewType[];
}

@ObjectType('DeployPreviewProgress', { description: 'One step of a preview: first with no run (how many will be checked), then one per run.' })
export class DeployPreviewProgressType {
  @Field(() => Int)
  liveVersion!: number;

  @Field(() => [String])
  changedNodes!: string[];

  @Field(() => Int, { description: 'How many runs the preview checks.' })
  total!: number;

  @Field(() => Int, { description: 'How many are checked so far.' })
  checked!: number;

  @Field(() => RunPreviewType, { nullable: true, description: 'The run just checked.' })
  run!: RunPreviewType | null;
}
