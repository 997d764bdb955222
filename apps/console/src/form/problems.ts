/** A problem the API found in a request, at a JSON path (C6). */
export interface Problem {
  path: string;
  message: string;
}

/** The problems the API found at exactly this JSON path (C6). */
export const problemsAt = (problems: readonly Problem[], path: string): string[] => problems.filter((p) => p.path === path).map((p) => p.message);

/** An element id for a JSON path: the same path always names the same field. */
export const fieldId = (path: string): string => `f-${path.replace(/[^A-Za-z0-9]+/g, '-')}`;
