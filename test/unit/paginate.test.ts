import { describe, expect, it } from "vitest";
import { paginate, type ListAnswer } from "../../src/notion/paginate.js";
import { NotionError } from "../../src/notion/index.js";

/** The cursor loop alone, driven by scripted answers: every contradictory or endless list fails loudly. */
type Answer = ListAnswer & { results: number[] };

function scripted(answers: Answer[]) {
  const asked: (string | undefined)[] = [];
  const fetchAnswer = async (cursor: string | undefined): Promise<Answer> => {
    asked.push(cursor);
    const answer = answers[asked.length - 1];
    if (!answer) throw new Error(`asked for answer ${asked.length}, only ${answers.length} scripted`);
    return answer;
  };
  return { fetchAnswer, asked };
}

async function drain(fetchAnswer: (cursor: string | undefined) => Promise<Answer>, maxAnswers = 10, readAhead = false) {
  const results: number[] = [];
  for await (const answer of paginate(fetchAnswer, { what: 'query "x"', maxAnswers, readAhead })) results.push(...answer.results);
  return results;
}

describe("paginate", () => {
  it("follows each cursor once and ends on has_more false", async () => {
    const { fetchAnswer, asked } = scripted([
      { results: [1, 2], has_more: true, next_cursor: "a" },
      { results: [3], has_more: true, next_cursor: "b" },
      { results: [], has_more: false, next_cursor: null },
    ]);
    expect(await drain(fetchAnswer)).toEqual([1, 2, 3]);
    expect(asked).toEqual([undefined, "a", "b"]);
  });

  it("fails on has_more without a cursor instead of reading a short list as the end", async () => {
    for (const cursor of [null, undefined, ""]) {
      const { fetchAnswer } = scripted([{ results: [1, 2], has_more: true, next_cursor: cursor }]);
      const error = await drain(fetchAnswer).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotionError);
      expect((error as NotionError).code).toBe("notion_bad_response");
      expect((error as Error).message).toMatch(
        /query "x": Notion said has_more but gave no next_cursor after 2 results; the read stops here and is not taken as complete/,
      );
    }
  });

  it("fails on a cursor given twice (an API that repeats itself or ignores start_cursor)", async () => {
    const { fetchAnswer, asked } = scripted([
      { results: [1], has_more: true, next_cursor: "a" },
      { results: [2], has_more: true, next_cursor: "b" },
      { results: [1], has_more: true, next_cursor: "a" },
    ]);
    await expect(drain(fetchAnswer)).rejects.toThrow(/the cursor "a" came back a second time after 3 results/);
    expect(asked).toEqual([undefined, "a", "b"]);
  });

  it("fails past maxAnswers when every cursor is new, without sending the extra request", async () => {
    let n = 0;
    const asked: (string | undefined)[] = [];
    const endless = async (cursor: string | undefined): Promise<Answer> => {
      asked.push(cursor);
      n += 1;
      return { results: [n], has_more: true, next_cursor: `c${n}` };
    };
    await expect(drain(endless, 5)).rejects.toThrow(/still more after 5 answers \(5 results\)/);
    expect(asked).toHaveLength(5);
    await expect(drain(endless, 5, true)).rejects.toThrow(/still more after 5 answers/);
  });

  it("fails on a contradictory or flagless answer", async () => {
    await expect(drain(scripted([{ results: [1], has_more: false, next_cursor: "z" }]).fetchAnswer)).rejects.toThrow(/has_more false but gave a next_cursor/);
    await expect(drain(scripted([{ results: [1], next_cursor: null }]).fetchAnswer)).rejects.toThrow(/has no has_more flag/);
  });

  it("requests the next answer before yielding with read-ahead, and only when asked without", async () => {
    for (const readAhead of [true, false]) {
      const { fetchAnswer, asked } = scripted([
        { results: [1], has_more: true, next_cursor: "a" },
        { results: [2], has_more: false, next_cursor: null },
      ]);
      const iterator = paginate(fetchAnswer, { what: "x", maxAnswers: 5, readAhead });
      await iterator.next();
      expect(asked).toHaveLength(readAhead ? 2 : 1);
      await iterator.return(undefined);
    }
  });
});

describe("paginate's result bound", () => {
  it("lets a valid list of short answers through, and fails a list with more results than the API allows", async () => {
    const answers = (n: number, size: number) => {
      let served = 0;
      return async (): Promise<Answer> => {
        served += 1;
        return { results: Array.from({ length: size }, (_, i) => served * 1000 + i), has_more: served < n, next_cursor: served < n ? `c${served}` : null };
      };
    };
    // 120 answers of 50 (6,000 results): short answers are not a broken list.
    expect((await drain(answers(120, 50), 1_000)).length).toBe(6_000);
    const bounded = async (fetchAnswer: (cursor: string | undefined) => Promise<Answer>) => {
      for await (const answer of paginate(fetchAnswer, { what: 'query "x"', maxAnswers: 1_000, maxResults: 10_100 })) void answer;
    };
    await expect(bounded(answers(200, 100))).rejects.toThrow(/query "x": 10200 results, more than the 10100 the API allows for one list/);
  });
});
