// Module-level selectors: each returns a field or a stable action, never a fresh object.
import type { AppState } from './types.ts';

// model
export const selectSpec = (s: AppState) => s.spec;
export const selectLayers = (s: AppState) => s.spec.layers;
export const selectTrain = (s: AppState) => s.spec.train;
export const selectSeed = (s: AppState) => s.spec.seed;
export const selectPresetId = (s: AppState) => s.presetId;
export const selectModified = (s: AppState) => s.modified;
export const selectValidation = (s: AppState) => s.validation;
export const selectShapes = (s: AppState) => s.shapes;
export const selectLoadPreset = (s: AppState) => s.loadPreset;
export const selectReplaced = (s: AppState) => s.replaced;
export const selectUndoReplace = (s: AppState) => s.undoReplace;
export const selectAddLayer = (s: AppState) => s.addLayer;
export const selectApplyFix = (s: AppState) => s.applyFix;
export const selectRemoveLayer = (s: AppState) => s.removeLayer;
export const selectMoveLayer = (s: AppState) => s.moveLayer;
export const selectMoveLayerTo = (s: AppState) => s.moveLayerTo;
export const selectSetDataset = (s: AppState) => s.setDataset;
export const selectDataset = (s: AppState) => s.spec.dataset;
export const selectUpdateLayer = (s: AppState) => s.updateLayer;
export const selectDuplicateLayer = (s: AppState) => s.duplicateLayer;
export const selectWrapLayers = (s: AppState) => s.wrapLayers;
export const selectUnwrapLayer = (s: AppState) => s.unwrapLayer;
export const selectInsertBlock = (s: AppState) => s.insertBlock;
export const selectWrapSelected = (s: AppState) => s.wrapSelected;
export const selectDuplicateSelected = (s: AppState) => s.duplicateSelected;
export const selectRemoveSelected = (s: AppState) => s.removeSelected;
export const selectUpdateTrain = (s: AppState) => s.updateTrain;
export const selectSetOptimizer = (s: AppState) => s.setOptimizer;
export const selectSetSchedule = (s: AppState) => s.setSchedule;
export const selectSetSeed = (s: AppState) => s.setSeed;

// training
export const selectRunStatus = (s: AppState) => s.runStatus;
export const selectRunSpec = (s: AppState) => s.runSpec;
export const selectProbe = (s: AppState) => s.probe;
export const selectBackend = (s: AppState) => s.backend;
export const selectPick = (s: AppState) => s.pick;
export const selectFallbackReason = (s: AppState) => s.fallbackReason;
export const selectLoading = (s: AppState) => s.loading;
export const selectTrainPoints = (s: AppState) => s.trainPoints;
export const selectEvalPoints = (s: AppState) => s.evalPoints;
export const selectLatest = (s: AppState) => s.latest;
export const selectLatestEval = (s: AppState) => s.latestEval;
export const selectDone = (s: AppState) => s.done;
export const selectError = (s: AppState) => s.error;
export const selectSessionStep = (s: AppState) => s.sessionStep;
export const selectSavedRun = (s: AppState) => s.savedRun;
export const selectWeightsMessage = (s: AppState) => s.weightsMessage;
export const selectSetWeightsMessage = (s: AppState) => s.setWeightsMessage;
export const selectEpochs = (s: AppState) => (s.runSpec ?? s.spec).train.epochs;

// ui
export const selectSelectedLayer = (s: AppState) => s.selectedLayer;
export const selectSelectLayer = (s: AppState) => s.selectLayer;
/** Sorted indices of every selected layer (one or more with gaps after Ctrl/⌘-clicks). */
export const selectSelectedLayers = (s: AppState) => s.selectedLayers;
export const selectSelectionNotice = (s: AppState) => s.selectionNotice;
export const selectToggleLayerSelection = (s: AppState) => s.toggleLayerSelection;
export const selectExtendLayerSelection = (s: AppState) => s.extendLayerSelection;
export const selectLogLoss = (s: AppState) => s.logLoss;
export const selectBackendPref = (s: AppState) => s.backendPref;
export const selectSetBackendPref = (s: AppState) => s.setBackendPref;
export const selectSetLogLoss = (s: AppState) => s.setLogLoss;
export const selectCrashes = (s: AppState) => s.crashes;
export const selectClearCrashes = (s: AppState) => s.clearCrashes;
export const selectShareMessage = (s: AppState) => s.shareMessage;
export const selectSetShareMessage = (s: AppState) => s.setShareMessage;
export const selectLoadSpec = (s: AppState) => s.loadSpec;

/** True while a session is busy (controls that change the model are locked). */
export const isBusy = (r: AppState['runStatus']) =>
  r === 'loading' || r === 'compiling' || r === 'running' || r === 'pausing' || r === 'stepping';
export const selectBusy = (s: AppState) => isBusy(s.runStatus);

// run history
export const selectRuns = (s: AppState) => s.runs;
export const selectToggleRun = (s: AppState) => s.toggleRun;
export const selectDeleteRun = (s: AppState) => s.deleteRun;
