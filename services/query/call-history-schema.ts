import { z } from 'zod';

/**
 * The call-history object of commubo's `GET /v1/calls/{callId}` (seed 004), as we answer it. Fields
 * without a value are left out, never null. Used to check every response and to generate the OpenAPI.
 */
const isoDateTime = z.iso.datetime({ offset: true });

export const customerSchema = z.object({
  customerId: z.string(),
  createdDateTime: isoDateTime.optional(),
  updatedDateTime: isoDateTime.optional(),
  familyName: z.string().optional(),
  personalName: z.string().optional(),
  phoneNumbers: z.array(z.string()).max(5).optional(),
  orgName: z.string().optional(),
  note: z.string().optional(),
});

export const operatorSchema = z.object({
  operatorId: z.string(),
  name: z.string().optional(),
});

export const callHistorySchema = z.object({
  callId: z.string(),
  callType: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional(),
  phoneNumber: z.string().optional(),
  callDateTime: isoDateTime,
  connectedDateTime: isoDateTime.optional(),
  talkTime: z.number().int().nonnegative().optional(),
  connectResult: z.string(),
  checkPoint: z.string().optional(),
  customer: customerSchema.optional(),
  operator: operatorSchema.optional(),
  scenario: z.object({ scenarioId: z.string() }).optional(),
  note: z.string().optional(),
});

export type CallHistory = z.output<typeof callHistorySchema>;

export const errorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});
