import { CommandId } from '../host/commandIds';

/**
 * The commands each lazily loaded feature registers when its bundle loads (stand-ins hold these
 * ids from activation until then), and the views they fill. No `vscode` here, so the unit tests
 * check them against package.json and the command modules.
 */
export const LAZY_COMMANDS = {
  judge: [CommandId.judgeFile, CommandId.judgeSelection, CommandId.judgeRerun, CommandId.judgeDataset, CommandId.judgeShowLosses, CommandId.judgeCancel, CommandId.judgeClearVerdicts, CommandId.judgeShowRuns, CommandId.refreshJudgeRuns],
  curation: [CommandId.scoreRows, CommandId.moveRowsBelowScore],
  promptLab: [CommandId.openInPromptLab, CommandId.savePanelAsPromptFile, CommandId.runEvalSet],
  generation: [CommandId.generatePairs, CommandId.generateForCategory, CommandId.suggestSubtopics, CommandId.copyDefaultPrompts],
} as const;

export const JUDGE_RUNS_VIEW = 'tunelab.judgeRuns';
export const PROMPT_LAB_VIEW = 'tunelab.promptLab';
