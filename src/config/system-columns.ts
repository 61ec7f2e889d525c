/**
 * The columns the engine writes itself, named once: every silver table has the silver ones after its
 * mapped columns (so a mapped column may not take these names), every bronze table the bronze ones.
 * The warehouse's table specs, its SQL, the transform's row types and the mapping's reserved names
 * all come from here.
 */
export const SILVER_COLUMNS = {
  pageId: "page_id",
  createdTime: "created_time",
  lastEditedTime: "last_edited_time",
  url: "url",
  isDeleted: "_is_deleted",
  deletedAt: "_deleted_at",
  rowHash: "_row_hash",
  syncedAt: "_synced_at",
  runId: "_run_id",
} as const;

export const BRONZE_COLUMNS = {
  pageId: "page_id",
  lastEditedTime: "last_edited_time",
  pageJson: "page_json",
  rowHash: "_row_hash",
  ingestedAt: "_ingested_at",
  runId: "_run_id",
} as const;

/** Column names the engine writes itself; a mapped column may not take them. */
export const RESERVED_COLUMNS: readonly string[] = Object.values(SILVER_COLUMNS);
