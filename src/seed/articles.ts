/**
 * The articles of the page the product was created from: a South China Morning Post article on
 * North Korea rejecting a letter from Donald Trump, and the three articles the page listed under
 * "Related Articles". Bodies are the article text only: the page's furniture ("Try Our AI
 * Features", comments, "Advertisement", photo captions and credit lines, a stray link text) is
 * removed, and paragraphs are restored where the page ran them together.
 *
 * The page gives no URLs and only relative times ("an hour ago"). The main article reports South
 * Korea's reaction "on Thursday" to the letter's rejection (12 June 2025); the related articles'
 * times are set relative to it as the page showed them.
 */
export const seedSource = 'South China Morning Post';

/** Plain data: the seed job validates it as any other input (jobs/seed.ts), so seed/ depends on nothing. */
export interface SeedArticle {
  externalId: string;
  title: string;
  body: string;
  /** The page gives none. */
  url?: string;
  source: string;
  /** ISO 8601. */
  publishedAt: string;
}

export const seedArticles: SeedArticle[] = [
  {
    externalId: 'scmp-kim-rejects-trump-letter',
    source: seedSource,
    publishedAt: '2025-06-12T09:00:00Z',
    title: 'South Korea and US seek to revive talks with North Korea as Kim Jong-un rejects Trump letter',
    body: `South Korea's Ministry of Foreign Affairs said on Thursday it is working closely with the United States to revive dialogue with North Korea, amid reports that North Korean leader Kim Jong-un recently rejected a letter from US President Donald Trump.

'South Korea and the United States are maintaining close communication at all levels on North Korea policy, including US-North Korea dialogue. The US has reaffirmed its commitment to coordination on multiple occasions,' Lee Jae-woong, a foreign ministry spokesperson, said.

The remarks followed a report by the US-based outlet NK News that North Korean diplomats at their mission to the United Nations in New York refused to accept the letter, despite repeated delivery attempts by US officials. While declining to comment directly on Trump's letter, Lee emphasised the ministry's ongoing efforts to reopen communication with Pyongyang to ease tensions and build trust.

Although South Korea's Ministry of Unification, which handles inter-Korean affairs, would not comment on the issue, the foreign ministry's stance marks a stark contrast to the administration of former president Yoon Suk-yeol. Yoon's government adopted a hardline stance against Pyongyang, emphasising denuclearisation over engagement and often responding to North Korea's escalating missile tests with stepped-up joint military drills, leading to a significant deterioration of inter-Korean communication channels and increasingly heated rhetoric from both sides.

The foreign ministry's remarks came hours after the White House said Trump remains open to talks with Kim, following the media report. 'The president remains receptive to correspondence with Kim Jong-un and would like to see progress made at the Singapore summit,' White House spokesperson Karoline Leavitt said during a briefing on Wednesday.

She neither confirmed nor denied reports of Kim's refusal.`,
  },
  {
    externalId: 'scmp-kim-blue-water-navy',
    source: seedSource,
    publishedAt: '2025-06-13T08:00:00Z',
    title: "Is North Korea's Kim shoring up navy in strategic bid with allies China, Russia?",
    body: `North Korean leader Kim Jong-un has vowed to build a blue-water navy to counter what he described as growing threats from the United States, an ambition that observers say appears to be linked to broader strategic coordination with key Pyongyang allies China and Russia.

Kim made the announcement during a launch ceremony at the northeastern port of Rajin for a newly repaired warship, following an earlier failed launch at the same location, state media reported on Friday. The vessel, 'Kang Kon', is the second 5,000-ton multi-mission destroyer North Korea has launched this year, following the Choe Hyon, unveiled in April. It is named after the leader of anti-Japanese guerillas who fought alongside Kim Il-sung, the founder of North Korea.

In his speech, Kim called for strengthening North Korea's maritime military presence in the Pacific Ocean, citing 'provocations' by the US and its allies, according to the Korean Central News Agency (KCNA). Kim declared that as North Korea's naval power expanded its territorial seas into the open ocean, the country's enemies would inevitably retreat. 'The proud status of our heroic and battle-ready Navy will not only be demonstrated in our coastal waters but across the vast oceans of the world,' he said.

Kim insisted the naval build-up was a 'justified response' to perceived threats from Washington and Seoul, which have intensified joint military exercises and deterrence strategies due to North Korea's advancing nuclear programme, and warned of 'overwhelming military action' in response.`,
  },
  {
    externalId: 'scmp-trump-student-visa-crackdown',
    source: seedSource,
    publishedAt: '2025-06-13T04:00:00Z',
    title: "Will Trump's student visa crackdown backfire and bleed US innovation?",
    body: `Jason, a Chinese geology student studying at a university in the American Midwest, was stunned when he read the news. 'I could feel the hostility of the American government and voters toward China,' he said. 'I was angry and confused. I also could not believe language like that would appear in an official announcement from any civilised country.'

Jason's disbelief was in response to the Trump administration's declaration last month that it would 'aggressively revoke visas for Chinese students'. 'We will also revise visa criteria to enhance scrutiny of all future visa applications from the People's Republic of China and Hong Kong,' US Secretary of State Marco Rubio said.

The policy targets Chinese students linked to the Communist Party and those studying in critical fields, and is part of a push by the US State Department aimed more broadly at restricting international students on the grounds of national security. Beijing has condemned the US policy, calling it 'fully unjustified'.`,
  },
  {
    externalId: 'scmp-hong-kong-stagnant-growth',
    source: seedSource,
    publishedAt: '2025-06-13T04:00:00Z',
    title: 'How Hong Kong can shake off stagnant growth',
    body: `Hong Kong's economic growth and resilience over the past two decades should serve as a source of pride. Real gross domestic product has grown at close to 3 per cent year on year over the past two decades, a robust figure for a developed services-based economy. But far more impressive is the way Hong Kong has rebounded rapidly and emerged even stronger after each crisis it has faced, whether it was the severe acute respiratory syndrome epidemic of 2003, the global financial crisis of 2008, or the economic slump of 2012.

A closer look shows that Hong Kong's recent economic journey has really been a story comprising two chapters. Between 2004 and 2014, GDP grew by an average of 4.5 per cent, outpacing many of our regional peers. We all remember this period of fast-rising prosperity, fuelled by mainland China's economic boom and breakthrough policies such as the Individual Visit Scheme.

The past 10 years – chapter two in our story – are more nuanced, however, as Hong Kong's GDP grew by an average of just 1 per cent between 2015 and 2024. The social unrest of 2019 and the three-year period when Covid-19 gripped the city could be written off as one-time events. But the prolonged period of stagnant growth that we continue to live through feels materially different than previous slowdowns.

Much has been written about the challenges and potential solutions for Hong Kong's economy. Many of the city's recent investments in tourism technology and innovation are encouraging. Hong Kong's pivot will not be easy, though. While everyone understands we need to ensure that our economy is better aligned with the future, not with the past, the kind of change we need to effect requires an entirely new playbook. 'Business as usual' will not suffice.

Understanding where future growth will emerge is crucial to Hong Kong's economic transformation. Recent research from the McKinsey Global Institute (MGI) provides a valuable framework for assessing 'arenas of competition' – dynamic, high-growth sectors poised to reshape the global economy through innovation and value creation.`,
  },
];

/** The page's "Related Articles": editorial links from the main article, in the page's order. */
export const seedEditorialLinks: { from: string; to: string[] }[] = [
  {
    from: 'scmp-kim-rejects-trump-letter',
    to: ['scmp-kim-blue-water-navy', 'scmp-trump-student-visa-crackdown', 'scmp-hong-kong-stagnant-growth'],
  },
];
