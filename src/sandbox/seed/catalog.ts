/** Word lists for the seeded finance PPM workspace. Changing them changes every seed's data. */

export const PEOPLE = [
  "Amara Okafor",
  "Lukas Becker",
  "Priya Raman",
  "Sofia Marquez",
  "James Whitfield",
  "Mei Lin Tan",
  "Oliver Grant",
  "Fatima Al-Sayed",
  "Daniel Novak",
  "Chloe Dubois",
  "Kenji Watanabe",
  "Hannah Schmidt",
] as const;

export const EMAIL_DOMAIN = "northwind-finance.example";

export const PROGRAM_NAMES = [
  "Digital Finance Transformation",
  "ERP Modernisation",
  "Procure-to-Pay Excellence",
  "Treasury Automation",
  "Regulatory Reporting Uplift",
  "Cost Optimisation 2026",
  "Finance Data Platform",
  "Shared Services Expansion",
] as const;

export const PROJECT_NAMES = [
  "S/4HANA Ledger Migration",
  "Invoice OCR Rollout",
  "Vendor Master Clean-up",
  "Cash Forecasting Model",
  "Bank Connectivity Hub",
  "IFRS 17 Reporting",
  "Expense Policy Automation",
  "Intercompany Netting",
  "Close Calendar Acceleration",
  "Fixed Asset Register Refresh",
  "Tax Engine Integration",
  "Payroll Controls Review",
  "AP Self-Service Portal",
  "Budgeting Tool Replacement",
  "Chart of Accounts Redesign",
  "Revenue Recognition Engine",
  "Treasury Risk Dashboard",
  "Supplier Onboarding Workflow",
  "Procurement Analytics",
  "Contract Repository",
  "Audit Evidence Vault",
  "Lease Accounting Upgrade",
  "FX Hedging Automation",
  "Working Capital Programme",
  "Finance Data Lake",
  "Management Reporting Pack",
  "Cost Allocation Engine",
  "Travel Booking Consolidation",
  "E-Invoicing Compliance",
  "Spend Cube Build",
  "SOX Control Automation",
  "Credit Risk Scoring",
  "Collections Prioritisation",
  "GL Reconciliation Bot",
  "Planning Model Rebuild",
  "Capex Approval Workflow",
  "Shared Services Hub Lisbon",
  "Finance Chatbot Pilot",
  "Master Data Governance",
  "ESG Metrics Reporting",
  "Legacy Ledger Decommission",
  "Procurement Card Programme",
  "Billing Platform Upgrade",
  "Treasury Payments Factory",
] as const;

export const CATEGORIES = ["Labour", "Software", "Hardware", "Services", "Travel", "Other"] as const;

export const LINE_ITEMS: Record<(typeof CATEGORIES)[number], readonly string[]> = {
  Labour: ["Contractor hours", "Internal FTE allocation", "Overtime", "Backfill cover", "Business analyst"],
  Software: ["SaaS licences", "Cloud hosting", "Support renewal", "API subscription", "Integration middleware"],
  Hardware: ["Laptops", "Network equipment", "Scanners", "Test servers"],
  Services: ["Implementation partner", "Audit fees", "Legal review", "Training delivery", "Data migration service"],
  Travel: ["Site visits", "Workshop travel", "Vendor on-site support"],
  Other: ["Contingency", "Change requests", "Miscellaneous"],
};

export const MILESTONE_NAMES = [
  "Business case approved",
  "Vendor selected",
  "Design sign-off",
  "Build complete",
  "Data migration dry run",
  "UAT complete",
  "Go-live",
  "Hypercare exit",
] as const;

export const RISK_TITLES = [
  "Vendor delivery delay",
  "Key person dependency",
  "Budget overrun on licences",
  "Data quality in legacy ledger",
  "Regulatory deadline slip",
  "Integration performance",
  "Scope creep from business units",
  "Security review findings",
  "Currency exposure on vendor contract",
  "Insufficient UAT testers",
  "Cut-over window too short",
  "Change fatigue in finance teams",
  "Audit findings on controls",
  "Cloud cost growth",
  "Contract renegotiation",
] as const;

export const MITIGATION_OPENERS = [
  "Weekly checkpoint with ",
  "Escalate to steering committee via ",
  "Dual-source the work; owner ",
  "Add buffer to plan; reviewed by ",
  "Run a spike first; pairing with ",
] as const;

export const TAG_SETS = {
  programs: ["Finance", "IT", "Compliance", "Growth", "Efficiency", "Risk", "ESG"],
  risks: ["Vendor", "Schedule", "Budget", "Compliance", "Technology", "People", "Data"],
} as const;

export const COST_CENTERS = [
  "CC-1010",
  "CC-1020",
  "CC-1100",
  "CC-1250",
  "CC-2040",
  "CC-2100",
  "CC-3300",
  "CC-3310",
  "CC-4120",
  "CC-5000",
  "CC-5150",
  "CC-6020",
  "CC-7100",
  "CC-8800",
  "CC-9010",
] as const;

export const ATTACHMENTS = ["business-case.pdf", "budget-v3.xlsx", "architecture.png", "raci.docx", "status-report.pdf", "vendor-quote.pdf"] as const;

export const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;
