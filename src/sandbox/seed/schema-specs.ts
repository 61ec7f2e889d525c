import type { PropertySchema, PropertyType } from "../model/types.js";

/** The seeded workspace's five schemas as data: property names, types and options. */
/** The five seeded databases, in creation order. */
export const DATABASE_KEYS = ["programs", "projects", "budget_lines", "milestones", "risks"] as const;
export type DatabaseKey = (typeof DATABASE_KEYS)[number];

export const TITLES: Record<DatabaseKey, string> = {
  programs: "Programs",
  projects: "Projects",
  budget_lines: "Budget Lines",
  milestones: "Milestones",
  risks: "Risks",
};

export type Spec = [name: string, type: PropertyType, extra?: Partial<PropertySchema> & { opts?: Array<[string, string]> }];
export type StatusSpec = { groups: Array<[group: string, color: string, options: Array<[string, string]>]> };

const PROGRAM_STATUS: StatusSpec = {
  groups: [
    ["To-do", "gray", [["Planning", "gray"]]],
    [
      "In progress",
      "blue",
      [
        ["Active", "green"],
        ["On Hold", "yellow"],
      ],
    ],
    ["Complete", "green", [["Closed", "default"]]],
  ],
};
const PROJECT_STATUS: StatusSpec = {
  groups: [
    ["To-do", "gray", [["Not started", "default"]]],
    [
      "In progress",
      "blue",
      [
        ["In progress", "blue"],
        ["Blocked", "red"],
      ],
    ],
    ["Complete", "green", [["Done", "green"]]],
  ],
};
const MILESTONE_STATUS: StatusSpec = {
  groups: [
    ["To-do", "gray", [["Not started", "default"]]],
    ["In progress", "blue", [["In progress", "blue"]]],
    ["Complete", "green", [["Done", "green"]]],
  ],
};

/** Property specs per database (relations, rollups and formulas are wired by name in `wire`). */
export const SPECS: Record<DatabaseKey, Array<Spec | [string, "status", StatusSpec]>> = {
  programs: [
    ["Name", "title"],
    ["Code", "rich_text"],
    ["Status", "status", PROGRAM_STATUS],
    ["Owner", "people"],
    ["Timeline", "date"],
    ["Budget", "number", { numberFormat: "dollar" }],
    ["Strategic", "checkbox"],
    [
      "Tags",
      "multi_select",
      {
        opts: [
          ["Finance", "blue"],
          ["IT", "purple"],
          ["Compliance", "red"],
          ["Growth", "green"],
          ["Efficiency", "yellow"],
          ["Risk", "orange"],
          ["ESG", "brown"],
        ],
      },
    ],
    ["Projects", "relation"],
    ["Planned Total", "rollup"],
    ["Latest Due", "rollup"],
    ["Project Statuses", "rollup"],
    ["Program ID", "unique_id", { prefix: "PRG" }],
  ],
  projects: [
    ["Name", "title"],
    ["Program", "relation"],
    ["Status", "status", PROJECT_STATUS],
    [
      "Priority",
      "select",
      {
        opts: [
          ["P0", "red"],
          ["P1", "orange"],
          ["P2", "yellow"],
          ["P3", "gray"],
        ],
      },
    ],
    ["Project Manager", "people"],
    ["Kickoff", "date"],
    ["Due", "date"],
    ["Budget", "number", { numberFormat: "dollar" }],
    ["Spent", "number", { numberFormat: "dollar" }],
    ["Complete", "number", { numberFormat: "percent" }],
    ["Budget Lines", "relation"],
    ["Remaining", "formula"],
    ["Over Budget", "formula"],
    ["Health", "formula"],
    ["Next Review", "formula"],
    ["Actual Total", "rollup"],
    ["Docs", "url"],
    ["Contact", "email"],
    ["Phone", "phone_number"],
    ["Attachments", "files"],
    ["Project Code", "unique_id", { prefix: "PRJ" }],
    ["Created By", "created_by"],
    ["Last Edited By", "last_edited_by"],
  ],
  budget_lines: [
    ["Line", "title"],
    ["Project", "relation"],
    [
      "Category",
      "select",
      {
        opts: [
          ["Labour", "blue"],
          ["Software", "purple"],
          ["Hardware", "gray"],
          ["Services", "green"],
          ["Travel", "orange"],
          ["Other", "default"],
        ],
      },
    ],
    ["Fiscal Year", "number", { numberFormat: "number" }],
    ["Planned", "number", { numberFormat: "dollar" }],
    ["Actual", "number", { numberFormat: "dollar" }],
    ["Approved", "checkbox"],
    ["Cost Center", "rich_text"],
    ["Period", "date"],
    ["Variance", "formula"],
    ["Line No", "unique_id", { prefix: "BL" }],
  ],
  milestones: [
    ["Milestone", "title"],
    ["Project", "relation"],
    ["Due", "date"],
    ["Completed On", "date"],
    ["Status", "status", MILESTONE_STATUS],
    ["Owner", "people"],
    ["Done", "checkbox"],
    ["Days Late", "formula"],
  ],
  risks: [
    ["Risk", "title"],
    ["Project", "relation"],
    [
      "Severity",
      "select",
      {
        opts: [
          ["Low", "green"],
          ["Medium", "yellow"],
          ["High", "orange"],
          ["Critical", "red"],
        ],
      },
    ],
    ["Likelihood", "number", { numberFormat: "number" }],
    ["Impact", "number", { numberFormat: "number" }],
    ["Score", "formula"],
    ["Mitigation", "rich_text"],
    [
      "Tags",
      "multi_select",
      {
        opts: [
          ["Vendor", "orange"],
          ["Schedule", "yellow"],
          ["Budget", "red"],
          ["Compliance", "purple"],
          ["Technology", "blue"],
          ["People", "pink"],
          ["Data", "gray"],
        ],
      },
    ],
    ["Owner", "people"],
    ["Review Date", "date"],
    ["Open", "checkbox"],
    ["Risk ID", "unique_id", { prefix: "RSK" }],
    ["Identified", "created_time"],
    ["Last Updated", "last_edited_time"],
  ],
};
