// Shapes of the API's answers that the pages use (see /api/v1/openapi.json for all of them).

export interface Me {
  username: string;
  name: string | null;
  organisation: string;
  organisation_kind: string;
  region: string;
  roles: string[];
}

export interface Task {
  id: string;
  name: string;
  title: string;
  case_id: string;
  person_name: string | null;
  region: string;
  candidate_group: string | null;
  assignee: string | null;
  state: string;
  due_at: string | null;
  created_at: string | null;
  completed_at: string | null;
  draft_saved_at: string | null;
  draft_saved_by: string | null;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface TaskSummary {
  mine: number;
  organisation: number;
  unassigned: number;
  overdue: number;
  due_today: number;
  kinds: { name: string; title: string; count: number }[];
  version: string;
}

export interface Participant {
  organisation: string;
  kind?: string;
  name?: string;
  [key: string]: unknown;
}

export interface Coordinator {
  organisation?: string;
  name?: string;
  [key: string]: unknown;
}

export interface TaskCaseContext {
  id: string;
  person_name: string | null;
  status: string;
  stage: string | null;
  coordinator: Coordinator | null;
  meeting: { date?: string | null; time?: string | null; place?: string | null } | null;
  participants: Participant[];
  open_tasks: { id: string; title: string; candidate_group: string | null; assignee: string | null; due_at: string | null }[];
}

export interface TaskDetail extends Task {
  instructions: string | null;
  case_revision: number;
  form: { schema: Record<string, unknown> | null; ui_schema: Record<string, unknown> | null };
  data: Record<string, unknown>;
  draft: { data: Record<string, unknown>; saved_at: string; saved_by: string } | null;
  case?: TaskCaseContext | null;
}

/** A task's draft as `PUT /tasks/{id}/draft` answers it. */
export interface TaskDraft {
  data: Record<string, unknown>;
  saved_at: string;
  saved_by: string;
}

/** The answer to `POST /tasks/{id}/complete`: the case as it stands and its next open tasks the user sees. */
export interface Completion {
  case: CaseSummary;
  next_tasks: Task[];
}

export interface CaseSummary {
  id: string;
  region: string;
  status: string;
  closure_reason: string | null;
  person_name: string | null;
  process: { key: string; version: number; region: string };
  revision: number;
  created_at: string;
  updated_at: string;
  stage?: string | null;
  next_due_at?: string | null;
  coordinator?: Coordinator | null;
}

export interface HistoryEvent {
  at: string;
  kind: string;
  actor: string | null;
  task_id: string | null;
  task_name: string | null;
  detail: Record<string, unknown>;
}

export interface CaseDetail extends CaseSummary {
  person: { name: string | null };
  participants: Participant[];
  open_tasks: Task[];
  plan: Record<string, unknown>;
  history: HistoryEvent[];
  parent_case_id: string | null;
  next_timer_at: string | null;
  incident: Record<string, unknown> | null;
  available_messages?: { name: string; title: string; description: string }[];
}

export interface CaseDiagram {
  processes: { id: string; name: string | null; file: string; xml: string }[];
  states: Record<string, Record<string, "completed" | "open" | "waiting" | "cancelled">>;
  calls: Record<string, Record<string, string>>;
}

/** What the sender of a message is asked (the diagram's `reason`), sent as the payload's `field`. */
export interface MessageReason {
  field: string;
  label: string;
  required: boolean;
}

export interface AvailableMessage {
  name: string;
  title: string;
  description: string;
  reason?: MessageReason | null;
}

export interface ProcessDefinition {
  id: number;
  key: string;
  region: string;
  version: number;
  deployed_at: string;
  deployed_by: string | null;
}

export interface StartedCase extends CaseSummary {
  person: { name: string | null };
  open_tasks: Task[];
  parent_case_id: string | null;
}

/** A kind of huvudman the routine requires to take part, without the family's consent to it, and why. */
export interface PlanMissingConsent {
  requirement: string;
  huvudman: string;
  reason: string;
}

/** One action in the plan: an intervention of a huvudman, or what the person, relatives and others do. */
export interface PlanAction {
  what: string;
  provided_by: string;
  kind_of_provider: string | null;
  how_often: string;
  when: string;
  where: string;
  who: string;
}

export interface PlanParticipant {
  name: string | null;
  profession: string;
  organisation: string | null;
  kind: string | null;
  contact: string;
  no_action: boolean;
  no_action_reason: string;
}

export type PlanGoal = string | { mal?: string; sikt?: string; matbart?: string; delmal?: string[] };

/** A guardian or relative who takes part in the plan. */
export interface PlanRelative {
  name: string;
  relation: string;
  contact: string;
  guardian: boolean;
}

/** The SIP as a document (`GET /cases/{id}/plan`, and `plan` of a case). */
export interface PlanDocument {
  case_id: string;
  status: string;
  scope?: "full" | "own";
  ready: boolean;
  person: { name: string | null };
  current_situation: string;
  main_goal: string;
  goals: PlanGoal[];
  interventions: PlanAction[];
  providers: string[];
  others_actions: PlanAction[];
  own_actions?: string;
  if_help_needed?: string;
  question?: string;
  works_well?: string;
  works_less_well?: string;
  summary?: string;
  relatives?: PlanRelative[];
  missing_consent?: PlanMissingConsent[];
  whom_to_call?: { name: string; organisation: string; contact: string } | null;
  overall_responsibility: string | null;
  coordinator: Coordinator | null;
  participants: PlanParticipant[];
  meeting_date: string | null;
  follow_up_date: string | null;
  latest_follow_up: string | null;
}
