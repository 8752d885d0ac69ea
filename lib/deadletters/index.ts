export { DeadLetterStore, DEAD_LETTERS_COLLECTION } from './dead-letter-store';
export type { DeadLetter, DeadLetterDocument, DeadLetterStage, DeadLetterQuery } from './dead-letter-store';
