/** Where a check run writes its problems: the table, its column list, the run's id and time. */
export interface IssueTarget {
  readonly table: string;
  readonly columns: string;
  readonly runId: string;
  /** ISO instant of the check. */
  readonly at: string;
}
