import { CheckpointMoves1733300000000, CheckpointMovesLookedUp1733800000000, Positions1732399999000, Processors1733200000000 } from './checkpoints.js';
import { HandledMarks1733700000000, ReplayMarksPerPartition1733600000000 } from './partition-marks.js';

/** The migrations of the tables and functions of the processor shell, first in every service's schema. */
export const PROCESSOR_MIGRATIONS = [Positions1732399999000, Processors1733200000000, CheckpointMoves1733300000000, ReplayMarksPerPartition1733600000000, HandledMarks1733700000000, CheckpointMovesLookedUp1733800000000];
