/** Every command TuneLab contributes, in one typed table; package.json must list the same ids. */
export const CommandId = {
  getStarted: 'tunelab.getStarted',
  showLog: 'tunelab.showLog',
  openTopicsFile: 'tunelab.openTopicsFile',
  showDatasetStats: 'tunelab.showDatasetStats',
  selectDatasetFormat: 'tunelab.selectDatasetFormat',
  addEndpoint: 'tunelab.addEndpoint',
  testEndpoint: 'tunelab.testEndpoint',
  setEndpointKey: 'tunelab.setEndpointKey',
  clearEndpointKey: 'tunelab.clearEndpointKey',
  listSageMakerEndpoints: 'tunelab.listSageMakerEndpoints',
  openInPromptLab: 'tunelab.openInPromptLab',
  savePanelAsPromptFile: 'tunelab.savePanelAsPromptFile',
  runEvalSet: 'tunelab.runEvalSet',
  generatePairs: 'tunelab.generatePairs',
  generateForCategory: 'tunelab.generateForCategory',
  suggestSubtopics: 'tunelab.suggestSubtopics',
  addTopic: 'tunelab.addTopic',
  addCategory: 'tunelab.addCategory',
  renameTopic: 'tunelab.renameTopic',
  deleteTopic: 'tunelab.deleteTopic',
  revealTopic: 'tunelab.revealTopic',
  createTopicsFile: 'tunelab.createTopicsFile',
  importTopics: 'tunelab.importTopics',
  copyDefaultPrompts: 'tunelab.copyDefaultPrompts',
  refreshTopics: 'tunelab.refreshTopics',
  judgeFile: 'tunelab.judgeFile',
  judgeSelection: 'tunelab.judgeSelection',
  judgeRerun: 'tunelab.judgeRerun',
  judgeCancel: 'tunelab.judgeCancel',
  judgeShowLosses: 'tunelab.judgeShowLosses',
  judgeClearVerdicts: 'tunelab.judgeClearVerdicts',
  judgeDataset: 'tunelab.judgeDataset',
  judgeShowRuns: 'tunelab.judgeShowRuns',
  refreshJudgeRuns: 'tunelab.refreshJudgeRuns',
  scoreRows: 'tunelab.scoreRows',
  moveRowsBelowScore: 'tunelab.moveRowsBelowScore',
} as const;

export type CommandId = (typeof CommandId)[keyof typeof CommandId];

/** The walkthrough's full id: `<publisher>.<name>#<walkthrough id>`. */
export const WALKTHROUGH_ID = 'tunelab.tunelab#gettingStarted';
