/** The query GraphiQL opens with: the current topics with their best articles. */
export const exampleQuery = `# Topics of the current clustering run, with their best-fitting articles
query Topics {
  topics(first: 10) {
    totalCount
    nodes {
      id
      label
      size
      keywords { term weight }
      articles(first: 3) {
        edges {
          score
          node {
            title
            source { name }
            relatedArticles { kind score article { title } }
          }
        }
      }
      relatedTopics { score topic { label } }
    }
  }
}
`;
