import { z } from 'zod';

/**
 * The response contracts of the query service: commubo's call-history object (seed 004), its
 * conversation messages and our error body. Fields without a value are left out, never null. These
 * schemas are the source of the OpenAPI document; the tests hold answers to them and to exact bodies, and
 * they are not checked again at run time (services/query/app.ts says why).
 */
export const isoDateTime = z.iso.datetime({ offset: true }).meta({ example: '2021-05-29T10:23:43+09:00' });

export const customerSchema = z
  .object({
    customerId: z.string().describe('Stable id of the contact, derived from the tenant and the contact mobile'),
    createdDateTime: isoDateTime.optional().describe('When a call with this contact was first stored'),
    updatedDateTime: isoDateTime.optional().describe('When a call with this contact was last stored'),
    familyName: z.string().optional().describe('contactDetailRel.name up to its first space (all of it when none)'),
    personalName: z.string().optional().describe('contactDetailRel.name after its first space'),
    phoneNumbers: z.array(z.string()).max(5).optional().describe('contact mobile and customerNumber, without duplicates'),
    orgName: z.string().optional().describe('contactDetailRel.companyName'),
    note: z.string().optional().describe('contactDetailRel.remark'),
  })
  .meta({ id: 'Customer', description: 'The contact dialled. With expand=none or expand=operator on the list: only customerId.' });

export const operatorSchema = z
  .object({
    operatorId: z.string().describe('robotId of the first bot session'),
    name: z.string().optional().describe('robotName of the first bot session'),
  })
  .meta({ id: 'Operator', description: 'The bot that talked. With expand=none or expand=customer on the list: only operatorId.' });

export const callHistorySchema = z
  .object({
    callId: z.string(),
    callType: z
      .union([z.literal(0), z.literal(1), z.literal(2)])
      .optional()
      .describe('0 inbound (workflow 1), 1 outbound (workflow 2 or 4), 2 user call (workflow 3); left out for other workflows'),
    phoneNumber: z.string().optional().describe('inbound: fromNumber; otherwise customerNumber, else toNumber'),
    callDateTime: isoDateTime.describe('callStartTime with the tenant offset'),
    connectedDateTime: isoDateTime.optional().describe('when connected: the first dialogue line, else callStartTime'),
    talkTime: z.number().int().nonnegative().optional().describe('when connected: callDuration in seconds'),
    connectResult: z.string().describe('SUCCESSFUL, BUSY, NO_ANSWER, REJECTED or FAILED (an open set)'),
    checkPoint: z.string().optional().describe('matchName of the last hit line of the last bot session'),
    customer: customerSchema.optional(),
    operator: operatorSchema.optional(),
    scenario: z.object({ scenarioId: z.string().describe('robotDefId of the first bot session') }).optional(),
    note: z.string().optional().describe('remark'),
  })
  .meta({ id: 'CallHistory', description: 'commubo call-history object (seed 004)' });

export type CallHistory = z.output<typeof callHistorySchema>;

export const conversationMessageSchema = z
  .object({
    seq: z.number().int().positive().describe('1-based position across all bot sessions of the call, in order'),
    messageType: z
      .union([z.literal(0), z.literal(1), z.literal(9)])
      .optional()
      .describe('who spoke: 0 bot, 1 customer, 9 system (dialogueRole 1, 2, 9); left out for other roles'),
    operator: z.object({ operatorId: z.string().describe('robotId') }).optional(),
    nodeName: z.string().optional().describe('matchName, when not empty'),
    message: z.string().optional().describe('dialogueContent'),
    messageDateTime: isoDateTime.optional().describe('dialogueStartTime with the tenant offset'),
  })
  .meta({ id: 'ConversationMessage', description: 'One line of bot dialogue' });

export type ConversationMessage = z.output<typeof conversationMessageSchema>;

export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string().describe('stable, machine-readable code, e.g. FORBIDDEN, CALL_NOT_FOUND, INVALID_DATE'),
      message: z.string(),
    }),
  })
  .meta({ id: 'Error' });
