import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, postCallback, startTestPipeline, type TestPipeline } from '../support/pipeline.ts';

/**
 * The walking skeleton end to end: the seed-000 callback over HTTP → real Kafka → consumer → real
 * Postgres → the seed-004 lookup over HTTP.
 */
const seed = JSON.parse(readFileSync(new URL('../../examples/seed-000-callback.json', import.meta.url), 'utf8'));
const expectedLookup = JSON.parse(readFileSync(new URL('../fixtures/seed-000-call-history.json', import.meta.url), 'utf8'));
const TENANT_ID = '6f1c2b7e-3d4a-4e5f-9a8b-1c2d3e4f5a6b';
const RECEIVED_AT = new Date('2026-01-02T03:04:05.000Z');
const CALL_ID = 'eff790c4-90a5-4453-990c-ff7d4aa30914';
const RECORDING =
  'https://tiao.com/7859ff65-0e6a-44e4-4ec2-1052f43f647a/cc_recordings/202105291ff7d4aa30914_eff790c4-90a5-4453-990c-ff7d4aa30914.mp3';

describe('callback in, rows out, lookup answered', () => {
  let pipeline: TestPipeline;
  let tokens: { ingestToken: string; accessToken: string };

  beforeAll(async () => {
    pipeline = await startTestPipeline({ now: () => RECEIVED_AT });
    tokens = await pipeline.createTenant({ tenantId: TENANT_ID });
    await pipeline.startConsumer();
  });
  afterAll(() => pipeline?.close());

  it('accepts the seed-000 sample, stores it column by column and answers the seed-004 lookup', async () => {
    const accepted = await postCallback(pipeline, { tenantId: TENANT_ID, ingestToken: tokens.ingestToken }, seed);
    expect(accepted.statusCode).toBe(200);
    const acceptedBody = accepted.json();
    expect(acceptedBody).toEqual({ status: 'accepted', callId: CALL_ID, eventId: expect.stringMatching(/^[0-9a-f-]{36}$/) });

    const call = await eventually(async () => {
      const { rows } = await pipeline.db.pool.query('select * from calls where tenant_id = $1 and call_id = $2', [TENANT_ID, CALL_ID]);
      return rows[0];
    });
    expect(call).toEqual({
      tenant_id: TENANT_ID,
      call_id: CALL_ID,
      workflow: 3,
      from_number: '18920765651',
      to_number: '05388593211',
      relay_number: '05388593191',
      call_start_time: new Date('2021-05-29T01:23:43Z'),
      call_end_time: new Date('2021-05-29T01:23:57Z'),
      call_duration: 14,
      call_record_url: RECORDING,
      customer_province: '天津',
      customer_city: '天津',
      router_id: 185,
      router_name: '210528bbr',
      transfer_agent_flag: 0,
      agent_id: null,
      agent_name: null,
      queue_id: null,
      queue_name: null,
      robot_names: ['Fテスト_英語1'],
      label_infos: ['満足'],
      intention_label_key: 'C',
      intention_label_name: 'C級(明確な拒否)',
      ad_task_id: 1762,
      ad_task_name: 'テスト発信タスク',
      contact_name: 'zmh',
      contact_mobile: '18770915633',
      contact_company_name: '沃豊科技',
      contact_remark: '美しく心優しい',
      contact_variates: [
        { key: 'name', type: 'text', value: 'zmh' },
        { key: 'age', type: 'number', value: '18' },
      ],
      call_result: 1,
      called_result: 1,
      agent_call_duration: 23,
      hangup_cause: 'お客様が取り込み中',
      hangup_by: 1,
      customer_number: '18770915633',
      remark: '',
      task_contact_batch_name: 'テスト連絡先',
      user_answered_flag: 1,
      user_answered_count: 2,
      user_answered_effective_count: 0,
      is_final_call: 1,
      gender: 'male',
      phone_number: '18770915633',
      raw: { ...seed, customerNumber: '18770915633' },
      event_id: acceptedBody.eventId,
      received_at: RECEIVED_AT,
      source_partition: expect.any(Number),
      source_offset: 0,
      // The call-history read model (migration 0007), written with the call.
      customer_id: 'a3c683c8-5cb4-3ed6-f432-399d7230811e',
      has_instance: true,
      first_robot_id: 25233,
      first_robot_name: 'Fテスト_英語1',
      first_robot_def_id: 30724,
      has_dialogue_lines: true,
      first_line_at: new Date('2021-05-29T01:23:43Z'),
      check_point: 'デフォルト',
    });

    const instances = await pipeline.db.pool.query('select * from call_instances where tenant_id = $1 order by instance_seq', [TENANT_ID]);
    expect(instances.rows).toEqual([
      {
        tenant_id: TENANT_ID,
        call_id: CALL_ID,
        instance_seq: 1,
        instance_id: 1622255025121140,
        robot_id: 25233,
        robot_def_id: 30724,
        robot_name: 'Fテスト_英語1',
        dialogue_start_time: new Date('2021-05-29T01:23:43Z'),
        dialogue_end_time: new Date('2021-05-29T01:23:57Z'),
        dialogue_duration: 13,
        dialogue_record_url: null,
        dialogue_round: 1,
        intention_label_key: 'C',
        intention_label_name: 'C級(明確な拒否)',
      },
    ]);

    const lines = await pipeline.db.pool.query(
      `select seq, instance_id, robot_id, robot_def_id, dialogue_role, started_at, content, record_url, match_type, match_result, match_name
       from dialogue_lines where tenant_id = $1 and call_id = $2 order by instance_seq, seq`,
      [TENANT_ID, CALL_ID],
    );
    const line = { instance_id: 1622255025121140, robot_id: 25233, robot_def_id: 30724 };
    expect(lines.rows).toEqual([
      {
        ...line,
        seq: 1,
        dialogue_role: 1,
        started_at: new Date('2021-05-29T01:23:43Z'),
        content: 'Many lessons are boring, and he is very tired after doing gym.',
        record_url: null,
        match_type: null,
        match_result: '',
        match_name: '',
      },
      {
        ...line,
        seq: 2,
        dialogue_role: 2,
        started_at: new Date('2021-05-29T01:23:49Z'),
        content: 'うん。',
        record_url: RECORDING,
        match_type: 9,
        match_result: '無視',
        match_name: '無視',
      },
      {
        ...line,
        seq: 3,
        dialogue_role: 2,
        started_at: new Date('2021-05-29T01:23:56Z'),
        content: '英語です。',
        record_url: RECORDING,
        match_type: 6,
        match_result: '回答ブランチにマッチ:【デフォルト】',
        match_name: 'デフォルト',
      },
    ]);

    const lookup = await pipeline.query.inject({
      method: 'GET',
      url: `/v1/calls/${CALL_ID}`,
      headers: { 'x-commubo-tenantId': TENANT_ID, 'x-commubo-accessToken': tokens.accessToken },
    });
    expect(lookup.statusCode).toBe(200);
    expect(lookup.headers['content-type']).toMatch(/^application\/json/);
    expect(lookup.json()).toEqual(expectedLookup);
  });

  it('answers 401 to a wrong ingest token and 403 to a wrong access token', async () => {
    const refused = await pipeline.ingress.inject({
      method: 'POST',
      url: `/v1/tenants/${TENANT_ID}/call-records`,
      headers: { authorization: 'Bearer not-the-token' },
      payload: seed,
    });
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: 'unknown tenant or wrong ingest token' } });

    const forbidden = await pipeline.query.inject({
      method: 'GET',
      url: `/v1/calls/${CALL_ID}`,
      headers: { 'x-commubo-tenantId': TENANT_ID, 'x-commubo-accessToken': tokens.ingestToken },
    });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toEqual({ error: { code: 'FORBIDDEN', message: 'unknown tenant or wrong access token' } });
  });
});
