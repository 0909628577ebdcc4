/**
 * Conversations' codes: the numbers its tables hold for a message's status, type and encryption,
 * a conversation's mode and status, and an account's option bits. Defined here once, from
 * Conversations' source (entities/Message.java, Conversation.java, Account.java); every layer uses
 * them by name. A backup carries these numbers as they are, so they never change.
 */

/** `messages.status` (Message.STATUS_*). */
export const MESSAGE_STATUS = {
  received: 0,
  unsent: 1,
  sent: 2,
  sendFailed: 3,
  waiting: 5,
  offered: 6,
  sentReceived: 7,
  sentDisplayed: 8,
} as const;

/** `messages.type` (Message.TYPE_*). */
export const MESSAGE_TYPE = {
  text: 0,
  image: 1,
  file: 2,
  status: 3,
  private: 4,
  privateFile: 5,
  call: 6,
} as const;

/** `messages.encryption` (Message.ENCRYPTION_*). */
export const MESSAGE_ENCRYPTION = {
  none: 0,
  pgp: 1,
  otr: 2,
  decrypted: 3,
  decryptionFailed: 4,
  omemo: 5,
  omemoNotForThisDevice: 6,
  omemoFailed: 7,
} as const;

/** `conversations.mode` (Conversation.MODE_*). */
export const CONVERSATION_MODE = { single: 0, group: 1 } as const;

/** `conversations.status` (Conversation.STATUS_*). */
export const CONVERSATION_STATUS = { available: 0, archived: 1 } as const;

/** `accounts.options` bit for a disabled account (Account.OPTION_DISABLED = 1, i.e. 1 << 1). */
export const OPTION_DISABLED = 1 << 1;

export type MessageStatus = (typeof MESSAGE_STATUS)[keyof typeof MESSAGE_STATUS];
export type MessageType = (typeof MESSAGE_TYPE)[keyof typeof MESSAGE_TYPE];
export type MessageEncryption = (typeof MESSAGE_ENCRYPTION)[keyof typeof MESSAGE_ENCRYPTION];
export type ConversationMode = (typeof CONVERSATION_MODE)[keyof typeof CONVERSATION_MODE];

/** Message types that carry a file (`relativeFilePath`, a `url|size|…` body). */
export const FILE_MESSAGE_TYPES: readonly number[] = [
  MESSAGE_TYPE.image,
  MESSAGE_TYPE.file,
  MESSAGE_TYPE.privateFile,
];

/** Encryption states whose body could not be decrypted on the device that stored it. */
export const UNDECRYPTABLE_ENCRYPTIONS: readonly number[] = [
  MESSAGE_ENCRYPTION.decryptionFailed,
  MESSAGE_ENCRYPTION.omemoNotForThisDevice,
  MESSAGE_ENCRYPTION.omemoFailed,
];
