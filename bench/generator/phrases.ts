/** Vocabulary for generated callbacks: what a voice bot and its callers say, in Japanese and in English. */
export const BOT_PHRASES = [
  'はい。',
  'Hello.',
  'お電話ありがとうございます。',
  'こちらはカスタマーサポートの自動応答です。',
  'ご用件をお話しください。',
  'ご本人様確認のため、お名前をお願いします。',
  '担当者におつなぎしますので、少々お待ちください。',
  'ご契約内容の確認でお電話いたしました。',
  '次回のお支払い日は月末です。',
  'Thank you for calling.',
  'Please say your account number after the tone.',
  'Your appointment is confirmed for next Tuesday.',
  'Is there anything else I can help you with?',
  'Many lessons are boring, and he is very tired after doing gym.',
] as const;

export const USER_PHRASES = [
  'うん。',
  'はい、そうです。',
  '英語です。',
  'いいえ、結構です。',
  '今ちょっと忙しいので、後でかけ直してください。',
  '料金について聞きたいです。',
  '解約したいんですが。',
  'もう一度お願いします。',
  'Yes.',
  'OK.',
  'No, thank you.',
  'Can you repeat that?',
  'I would like to talk to a person.',
] as const;

export const MATCH_NAMES = ['デフォルト', '無視', '料金案内', '解約', '本人確認', 'greeting', 'fallback', 'transfer'] as const;
export const LABELS = ['果物', '重要', '満足', '不満', '再架電', 'VIP', 'follow-up', 'complaint'] as const;
export const ROBOT_NAMES = ['Fテスト_英語1', '督促シナリオA', '予約確認ボット', 'survey-bot', '解約防止フロー'] as const;
export const INTENTIONS = [
  ['A', 'A級(強い関心)'],
  ['B', 'B級(関心あり)'],
  ['C', 'C級(明確な拒否)'],
  ['D', 'D級(不在)'],
] as const;
export const PROVINCES = [
  ['東京', '東京'],
  ['大阪', '大阪'],
  ['北海道', '札幌'],
  ['天津', '天津'],
  ['福岡', '福岡'],
] as const;
export const HANGUP_CAUSES = ['お客様が取り込み中', '不在', '拒否', 'no answer', 'network error'] as const;
export const FAMILY_NAMES = ['佐藤', '鈴木', '高橋', '田中', 'Smith', 'Tanaka'] as const;
export const GIVEN_NAMES = ['太郎', '花子', '健', 'さくら', 'John', 'Yui'] as const;
export const COMPANIES = ['沃豊科技', '株式会社サンプル', 'Example Corp.', '山田商店'] as const;
